#pragma once

#include <string>

#include "config/run_config.h"
#include "quant/compressed_model.h"

namespace qn {

// A compressed torchscript model back in the user's hands: their module (loaded from
// model.path, checked against model.sha256) with every parameter and buffer replaced by the
// checkpoint's decoded values (compressed weights decoded, PQ layers from their codebooks),
// in evaluation mode, as torch.jit.save writes it. torch.jit.load reads it and computes
// what `qnoise eval` computes from the checkpoint. The bytes are fp32-sized: this is for
// PyTorch, the .qnz is what is small. A config of another architecture is an InputError
// (the float state dict is its export).
std::string torchscript_module_bytes(const RunConfig& config, const CompressedModel& compressed);

}  // namespace qn
