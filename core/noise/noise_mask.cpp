#include "noise/noise_mask.h"

#include <cmath>
#include <limits>

namespace qn {

torch::Tensor draw_block_selection(const BlockLayout& layout, double rate,
                                   const torch::Device& device) {
  return torch::rand({layout.block_count()}, torch::TensorOptions().device(device)) < rate;
}

torch::Tensor draw_weight_mask(const torch::Tensor& weight, double rate) {
  if (rate >= 1.0) return torch::ones(weight.sizes(), weight.options().dtype(torch::kBool));
  const int64_t count = weight.numel();
  const auto words = torch::empty({(count + 3) / 4}, weight.options().dtype(torch::kLong))
                         .random_(std::numeric_limits<int64_t>::min(), c10::optional<int64_t>());
  const auto lanes = words.view(torch::kShort).narrow(0, 0, count);  // uniform in int16
  const int64_t threshold = std::llround(rate * 65536.0) - 32768;
  return lanes.lt(threshold).view(weight.sizes());
}

}  // namespace qn
