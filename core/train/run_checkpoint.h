#pragma once

#include <string>

#include "config/run_config.h"
#include "train/training_run.h"

namespace qn {

// The .qnz bytes of a finished run: its compressed model, with its config and result
// (metric, evaluation split, sizes, device) in the header, so that `qnoise eval` and
// `qnoise inspect` know what the file claims.
std::string run_checkpoint(const RunConfig& config, const RunResult& result);

}  // namespace qn
