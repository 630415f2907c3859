#include "data/text_inputs.h"

namespace qn {

std::vector<torch::Tensor> text_model_inputs(const torch::Tensor& packed, int64_t count) {
  std::vector<torch::Tensor> inputs;
  for (int64_t row = 0; row < count; ++row) inputs.push_back(packed.select(1, row));
  return inputs;
}

}  // namespace qn
