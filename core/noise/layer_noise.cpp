#include "noise/layer_noise.h"

#include <optional>

#include "noise/weight_noise.h"
#include "quant/kmeans.h"

namespace qn {
namespace {

class IntLayerNoise final : public LayerNoise {
 public:
  explicit IntLayerNoise(IntNoiseOptions options) : options_(options) {}

  torch::Tensor apply(const torch::Tensor& weight) override {
    if (!params_ || forwards_ % options_.refresh_every == 0) {
      params_ = observe_range(weight.detach(), options_.bits, options_.observer);
    }
    ++forwards_;
    return int_noise(weight, *params_, options_.rate);
  }

 private:
  IntNoiseOptions options_;
  std::optional<AffineParams> params_;
  int64_t forwards_ = 0;
};

class PqProxyNoise final : public LayerNoise {
 public:
  PqProxyNoise(BlockLayout layout, double rate) : layout_(std::move(layout)), rate_(rate) {}

  torch::Tensor apply(const torch::Tensor& weight) override {
    return pq_proxy_noise(weight, layout_, rate_);
  }

 private:
  BlockLayout layout_;
  double rate_;
};

class PqExactNoise final : public LayerNoise {
 public:
  PqExactNoise(BlockLayout layout, PqNoiseOptions options)
      : layout_(std::move(layout)), options_(options) {}

  torch::Tensor apply(const torch::Tensor& weight) override {
    if (!centroids_.defined() || forwards_ % options_.refresh_every == 0) refit(weight);
    ++forwards_;
    return pq_exact_noise(weight, layout_, centroids_, options_.rate);
  }

 private:
  void refit(const torch::Tensor& weight) {
    KMeansOptions kmeans_options;
    kmeans_options.centroids = std::min(options_.centroids, layout_.block_count());
    kmeans_options.seed = options_.seed;
    // The first fit runs to convergence; later ones continue from the last codebook.
    kmeans_options.iterations = centroids_.defined() ? options_.refit_iterations : 20;
    if (centroids_.defined()) kmeans_options.initial_centroids = centroids_;
    centroids_ = kmeans(layout_.to_blocks(weight.detach()), kmeans_options).centroids;
  }

  BlockLayout layout_;
  PqNoiseOptions options_;
  torch::Tensor centroids_;
  int64_t forwards_ = 0;
};

}  // namespace

std::unique_ptr<LayerNoise> make_int_noise(const IntNoiseOptions& options) {
  return std::make_unique<IntLayerNoise>(options);
}

std::unique_ptr<LayerNoise> make_pq_noise(const BlockLayout& layout,
                                          const PqNoiseOptions& options) {
  if (options.form == NoiseForm::Proxy) return std::make_unique<PqProxyNoise>(layout, options.rate);
  return std::make_unique<PqExactNoise>(layout, options);
}

}  // namespace qn
