#pragma once

#include <string>

#include "config/run_config.h"
#include "io/qnz_format.h"
#include "quant/compressed_model.h"

namespace qn {

// A compressed model back in PyTorch's hands, as torch.jit.save writes it: torch.jit.load
// is all a user needs, and the module computes what `qnoise eval` computes from the
// checkpoint. The model is the user's own module for a torchscript config (loaded from
// model.path, checked against model.sha256), or a built-in model's TorchScript twin
// (nn/module_script.h), in evaluation mode.

// The compact form (`--format torchscript`): the model, with each compressed tensor's slot
// emptied, inside a module "CompactModel" that also holds a decoder per compressed tensor
// (train/weight_decoders.h: the .qnz's codes, codebooks and scales as they are). Its
// forward takes the model's arguments, sets each emptied slot to its decoded weight, runs
// the model, and empties the slots again: the file and the resident model stay about the
// .qnz's size; each forward pays the decoding. `decoded_tensors` (a list attribute) names
// the decoded tensors, in the order of the submodules of `decoders`. Not thread-safe: two
// concurrent forwards share the slots.
std::string compact_torchscript_bytes(const RunConfig& config, const QnzFile& checkpoint);

// The decoded form (`--format torchscript-float`): the model with every parameter and
// buffer set to its decoded fp32 value; as large as the uncompressed model.
std::string float_torchscript_bytes(const RunConfig& config, const CompressedModel& compressed);

}  // namespace qn
