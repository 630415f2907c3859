#include "noise/noise_mask.h"

namespace qn {

torch::Tensor draw_block_selection(const BlockLayout& layout, double rate,
                                   const torch::Device& device) {
  return torch::rand({layout.block_count()}, torch::TensorOptions().device(device)) < rate;
}

torch::Tensor draw_weight_mask(const torch::Tensor& weight, double rate) {
  return torch::rand(weight.sizes(), weight.options().dtype(torch::kFloat)) < rate;
}

}  // namespace qn
