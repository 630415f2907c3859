#include "noise/weight_noise.h"

#include "noise/int_noise_kernel.h"
#include "noise/noise_mask.h"
#include "quant/nearest_centroid.h"

namespace qn {

torch::Tensor int_noise(const torch::Tensor& weight, const AffineParams& params, double rate) {
  if (rate <= 0.0) return weight;
  // Detached correction: the value is phi(W) where selected, W elsewhere; the gradient with
  // respect to W is the identity everywhere.
  // In place, in as few passes over the weight as we can: fake-quantize, subtract, mask.
  const auto detached = weight.detach();
  if (rate < 1.0 && weight.device().is_cpu() && weight.scalar_type() == torch::kFloat) {
    return weight + int_noise_correction_cpu(detached, params, rate);
  }
  auto correction = fake_quantize(detached, params).sub_(detached);
  if (rate < 1.0) correction.mul_(draw_weight_mask(weight, rate));
  return weight + correction;
}

torch::Tensor pq_proxy_noise(const torch::Tensor& weight, const BlockLayout& layout, double rate) {
  if (rate <= 0.0) return weight;
  TORCH_CHECK(rate < 1.0, "proxy noise needs a rate below 1");  // validate() tells the user
  // One multiply by a per-block factor (0 or 1/(1-p)), broadcast over the block: a single
  // pass over the weight forward and backward, and no weight-sized mask.
  const auto kept = draw_block_selection(layout, rate, weight.device()).logical_not();
  const auto factor = kept.to(weight.scalar_type()).div_(1.0 - rate).unsqueeze(1);
  return layout.from_blocks(layout.to_blocks(weight) * factor);
}

torch::Tensor pq_exact_noise(const torch::Tensor& weight, const BlockLayout& layout,
                             const torch::Tensor& centroids, double rate) {
  if (rate <= 0.0) return weight;
  // Search centroids for the selected blocks only: at p = 0.1 that is a tenth of the work.
  const auto selected = draw_block_selection(layout, rate, weight.device()).nonzero().reshape({-1});
  const auto blocks = layout.to_blocks(weight.detach()).index_select(0, selected);
  const auto codebook = centroids.to(weight.device(), torch::kFloat);
  const auto nearest = nearest_centroids(blocks, codebook).index;
  auto correction = torch::zeros({layout.block_count(), layout.block_size()}, weight.options());
  correction.index_copy_(0, selected, codebook.index_select(0, nearest) - blocks);
  return weight + layout.from_blocks(correction);
}

}  // namespace qn
