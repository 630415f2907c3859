#include "quant/histogram_range.h"

#include <torch/types.h>

#include <algorithm>

namespace qn {
namespace {

constexpr int64_t kBins = 2048;
constexpr int64_t kCandidateStride = 8;  // candidate ends every 8 bins: 257 x 257 pairs

// Exclusive prefix sums of count, count * center and count * center^2 over the bins
// (double, on the CPU), with one extra entry so that prefix[k] sums the bins below edge k.
struct BinMoments {
  torch::Tensor count, first, second;
};

BinMoments prefix_moments(const torch::Tensor& histogram, const torch::Tensor& centers) {
  auto exclusive = [](const torch::Tensor& x) {
    return torch::cat({torch::zeros({1}, x.options()), x.cumsum(0)});
  };
  return {exclusive(histogram), exclusive(histogram * centers),
          exclusive(histogram * centers * centers)};
}

}  // namespace

std::pair<double, double> mse_optimal_range(const torch::Tensor& values, int bits) {
  const auto flat = values.detach().reshape({-1}).to(torch::kFloat);
  const double lo = std::min(flat.min().item<double>(), 0.0);
  const double hi = std::max(flat.max().item<double>(), 0.0);
  if (hi - lo <= 0.0) return {lo, hi};

  const auto histogram = torch::histc(flat, kBins, lo, hi).to(torch::kCPU, torch::kDouble);
  const double width = (hi - lo) / kBins;
  const auto options = torch::TensorOptions().dtype(torch::kDouble);
  const auto edges = lo + width * torch::arange(kBins + 1, options);
  const auto centers = edges.narrow(0, 0, kBins) + width / 2;
  const auto moments = prefix_moments(histogram, centers);
  const double total = moments.count[kBins].item<double>();

  // Candidate ends: lower ends at edges <= 0, upper ends at edges >= 0 (zero stays exact).
  const auto grid = torch::cat({torch::arange(0, kBins, kCandidateStride, torch::kLong),
                                torch::full({1}, kBins, torch::kLong)});
  const auto grid_edges = edges.index_select(0, grid);
  const auto lower = grid.masked_select(grid_edges <= 0).unsqueeze(1);  // (L, 1)
  const auto upper = grid.masked_select(grid_edges >= 0).unsqueeze(0);  // (1, U)
  const auto a = edges.index_select(0, lower.reshape({-1})).unsqueeze(1);
  const auto b = edges.index_select(0, upper.reshape({-1})).unsqueeze(0);
  auto at = [](const torch::Tensor& prefix, const torch::Tensor& index) {
    return prefix.index_select(0, index.reshape({-1})).view(index.sizes());
  };

  // Bins below edge a are clipped up to a; bins from edge b up are clipped down to b.
  const auto below_error = at(moments.second, lower) - 2 * a * at(moments.first, lower) +
                           a * a * at(moments.count, lower);
  const auto above_count = total - at(moments.count, upper);
  const auto above_first = moments.first[kBins] - at(moments.first, upper);
  const auto above_second = moments.second[kBins] - at(moments.second, upper);
  const auto above_error = above_second - 2 * b * above_first + b * b * above_count;
  const auto inside_count = at(moments.count, upper) - at(moments.count, lower);
  const auto step = (b - a) / static_cast<double>((int64_t{1} << bits) - 1);
  const auto rounding_error = inside_count * step * step / 12.0;
  const auto cost = (below_error + above_error + rounding_error).reshape({-1});

  const int64_t best = cost.argmin().item<int64_t>();
  const int64_t columns = upper.numel();
  return {a.reshape({-1})[best / columns].item<double>(),
          b.reshape({-1})[best % columns].item<double>()};
}

}  // namespace qn
