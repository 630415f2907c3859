#include "io/float_export.h"

#include <ATen/core/Dict.h>
#include <torch/serialize.h>

namespace qn {

std::vector<char> float_state_dict(const CompressedModel& model) {
  c10::Dict<std::string, at::Tensor> state;  // keeps insertion order, as a state dict does
  for (const auto& [name, tensor] : model.tensors()) {
    const auto values = tensor->decode().to(torch::kCPU).contiguous();
    state.insert(name, values);
    for (const auto& alias : model.aliases(name)) state.insert(alias, values);  // one storage, pickled once
  }
  return torch::pickle_save(state);
}

}  // namespace qn
