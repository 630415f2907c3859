#pragma once

#include <vector>

#include "quant/compressed_model.h"

namespace qn {

// The decompressed model for PyTorch users: a state dict (the model's parameter and buffer
// names -> float32 tensors holding exactly the values the compressed model computes with)
// in torch.save's format, so that Python's `torch.load(path)` reads it. A tied tensor is
// listed under each of its names, so that `load_state_dict` (strict) takes it. The bytes of a
// decompressed model are fp32-sized: this is for interoperability, not for shipping.
std::vector<char> float_state_dict(const CompressedModel& model);

}  // namespace qn
