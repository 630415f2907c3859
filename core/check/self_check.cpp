#include "check/self_check.h"

#include <torch/types.h>

#include <functional>

#include "check/check_support.h"
#include "check/device_parity.h"
#include "quant/affine_quantizer.h"
#include "quant/bit_packing.h"
#include "quant/kmeans.h"
#include "quant/nearest_centroid.h"
#include "quant/pq_quantizer.h"
#include "quant/range_observer.h"

namespace qn {
namespace {

using Check = std::function<CheckResult(const torch::Device&)>;
using check::max_abs_difference;
using check::random_normal;
using check::verdict;

CheckResult fake_quantize_per_tensor(const torch::Device& device) {
  const auto w = random_normal({64, 300}, 1) * 0.1;
  double error = 0;
  for (int bits : {2, 4, 8}) {
    const auto params = observe_range(w.to(device), bits, RangeObserver::MinMax);
    const auto ours = fake_quantize(w.to(device), params);
    const auto reference = torch::fake_quantize_per_tensor_affine(
        w, params.scale.item<double>(), params.zero_point.item<int64_t>(), 0, params.quant_max());
    error = std::max(error, max_abs_difference(ours, reference));
  }
  return verdict("fake-quantize per tensor vs LibTorch (2, 4, 8 bits)", error, 1e-6);
}

CheckResult fake_quantize_per_channel(const torch::Device& device) {
  const auto w =
      random_normal({32, 3, 3, 3}, 2) * torch::linspace(0.01, 1.0, 32).view({32, 1, 1, 1});
  double error = 0;
  for (int bits : {2, 4, 8}) {
    const auto params = observe_range(w.to(device), bits, RangeObserver::Channel);
    const auto ours = fake_quantize(w.to(device), params);
    const auto reference = torch::fake_quantize_per_channel_affine(
        w, params.scale.cpu(), params.zero_point.cpu().to(torch::kInt), 0, 0, params.quant_max());
    error = std::max(error, max_abs_difference(ours, reference));
  }
  return verdict("fake-quantize per channel vs LibTorch (2, 4, 8 bits)", error, 1e-6);
}

// Packs with a plain loop over bits, the obvious way, as the reference.
std::vector<uint8_t> pack_bits_by_loop(const torch::Tensor& codes, int bits) {
  std::vector<uint8_t> bytes(static_cast<size_t>(packed_byte_count(codes.numel(), bits)), 0);
  const auto* values = codes.data_ptr<int64_t>();
  for (int64_t i = 0; i < codes.numel(); ++i) {
    for (int bit = 0; bit < bits; ++bit) {
      const int64_t position = i * bits + bit;
      if ((values[i] >> bit) & 1) bytes[position / 8] |= static_cast<uint8_t>(1 << (position % 8));
    }
  }
  return bytes;
}

CheckResult bit_packing(const torch::Device& device) {
  int64_t mismatches = 0;
  for (int bits = 1; bits <= 16; ++bits) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(bits);
    const auto codes = torch::randint(0, int64_t{1} << bits, {1001}, generator, torch::kLong);
    const auto packed = pack_bits(codes.to(device), bits).cpu();
    const auto expected = pack_bits_by_loop(codes, bits);
    const auto reference = torch::from_blob(const_cast<uint8_t*>(expected.data()),
                                            {static_cast<int64_t>(expected.size())}, torch::kUInt8);
    mismatches += packed.numel() == reference.numel() ? (packed != reference).sum().item<int64_t>()
                                                      : packed.numel() + 1;
    const auto unpacked = unpack_bits(packed.to(device), bits, codes.numel()).cpu();
    mismatches += (unpacked != codes).sum().item<int64_t>();
  }
  return {"bit packing vs a byte loop (1..16 bits)", mismatches == 0,
          std::to_string(mismatches) + " mismatching bytes or codes"};
}

CheckResult nearest_centroid_search(const torch::Device& device) {
  const auto points = random_normal({5000, 8}, 3);
  const auto centroids = random_normal({100, 8}, 4);
  const auto ours = nearest_centroids(points.to(device), centroids.to(device), /*chunk_rows=*/777);
  const auto brute = (points.unsqueeze(1) - centroids.unsqueeze(0)).pow(2).sum(2);  // (n, K)
  const auto best = std::get<0>(brute.min(1));
  // The distance to the chosen centroid must be the minimum; indices may differ on exact ties.
  const auto chosen = brute.gather(1, ours.index.cpu().unsqueeze(1)).squeeze(1);
  const double error =
      std::max(max_abs_difference(chosen, best), max_abs_difference(ours.sq_distance, best));
  return verdict("nearest centroid (chunked GEMM) vs brute force", error, 1e-4);
}

// One Lloyd iteration written the slow, obvious way: broadcast distances, a loop of means.
torch::Tensor naive_lloyd_step(const torch::Tensor& points, const torch::Tensor& centroids) {
  const auto nearest = (points.unsqueeze(1) - centroids.unsqueeze(0)).pow(2).sum(2).argmin(1);
  auto updated = centroids.clone();
  for (int64_t c = 0; c < centroids.size(0); ++c) {
    const auto members = nearest == c;
    if (members.any().item<bool>()) updated[c] = points.index({members}).mean(0);
  }
  return updated;
}

CheckResult kmeans_against_naive(const torch::Device& device) {
  const auto points = random_normal({3000, 4}, 5);
  const auto start = points.narrow(0, 0, 32).clone();
  const int iterations = 5;
  KMeansOptions options;
  options.centroids = 32;
  options.iterations = iterations;
  options.initial_centroids = start;
  const auto ours = kmeans(points.to(device), options);
  auto reference = start;
  for (int i = 0; i < iterations; ++i) reference = naive_lloyd_step(points, reference);
  const double error = max_abs_difference(ours.centroids, reference);
  return verdict("k-means, 5 Lloyd iterations vs a naive implementation", error, 1e-4);
}

CheckResult histogram_observer(const torch::Device& device) {
  // On heavy tails the MSE-optimal clipping range must beat the full range clearly.
  const auto w = random_normal({256, 256}, 8) * torch::exp(random_normal({256, 256}, 9));
  auto mse = [&](RangeObserver observer) {
    const auto on_device = w.to(device);
    return (fake_quantize(on_device, observe_range(on_device, 4, observer)) - on_device)
        .pow(2)
        .mean()
        .item<double>();
  };
  const double ratio = mse(RangeObserver::Histogram) / mse(RangeObserver::MinMax);
  return {"histogram observer: int4 MSE against min-max on heavy tails", ratio < 0.5,
          "MSE ratio " + std::to_string(ratio) + " (must be < 0.5)"};
}

CheckResult pq_round_trip(const torch::Device& device) {
  // 16 distinct blocks repeated: with K = 16 centroids, decode(encode(W)) must give W back
  // (up to fp16 rounding of the codebook, so the blocks are chosen fp16-exact).
  const auto distinct = torch::round(random_normal({16, 8}, 6) * 64) / 64;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
  const auto picks = torch::randint(0, 16, {512}, generator, torch::kLong);
  const auto weight = distinct.index_select(0, picks).reshape({128, 32});
  PqOptions options;
  options.centroids = 16;
  options.block_sizes = BlockSizes::uniform(8);
  const auto encoded = PqQuantizer(options).encode(weight.to(device), {"check", LayerKind::Linear});
  const double error = max_abs_difference(encoded.decode(), weight);
  return verdict("PQ decode(encode(W)) with <= K distinct blocks", error, 0.0);
}

}  // namespace

std::vector<CheckResult> run_self_checks(const torch::Device& device) {
  torch::NoGradGuard no_grad;
  const std::vector<Check> checks = {
      fake_quantize_per_tensor, fake_quantize_per_channel, histogram_observer, bit_packing,
      nearest_centroid_search,  kmeans_against_naive,      pq_round_trip};
  std::vector<CheckResult> results;
  for (const auto& check : checks) results.push_back(check(device));
  for (auto& result : run_device_parity_checks(device)) results.push_back(std::move(result));
  return results;
}

}  // namespace qn
