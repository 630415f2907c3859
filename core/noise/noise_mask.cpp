#include "noise/noise_mask.h"

namespace qn {

torch::Tensor draw_block_selection(const BlockLayout& layout, double rate,
                                   const torch::Device& device) {
  return torch::rand({layout.block_count()}, torch::TensorOptions().device(device)) < rate;
}

torch::Tensor expand_to_weight(const BlockLayout& layout, const torch::Tensor& block_selection) {
  return layout.from_blocks(
      block_selection.unsqueeze(1).expand({layout.block_count(), layout.block_size()}));
}

torch::Tensor draw_weight_mask(const torch::Tensor& weight, double rate) {
  return torch::rand(weight.sizes(), weight.options().dtype(torch::kFloat)) < rate;
}

}  // namespace qn
