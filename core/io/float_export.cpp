#include "io/float_export.h"

#include <ATen/core/Dict.h>
#include <torch/serialize.h>

namespace qn {

std::vector<char> float_state_dict(const CompressedModel& model) {
  c10::Dict<std::string, at::Tensor> state;  // keeps insertion order, as a state dict does
  for (const auto& [name, tensor] : model.tensors()) {
    state.insert(name, tensor->decode().to(torch::kCPU).contiguous());
  }
  return torch::pickle_save(state);
}

}  // namespace qn
