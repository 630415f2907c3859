#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "config/run_config.h"
#include "train/training_run.h"

namespace qn {

// A run's result as JSON: metric_name, metric, float_metric, evaluation_split, size_bytes,
// fp32_size_bytes, compression, seconds, steps, device, stages (PQ and iPQ: stage, layers,
// metric_after_quantization, metric_after_finetune), metric_before_finetune (iPQ),
// shared_training, data_split (qnoise train --json's keys).
nlohmann::json result_summary(const RunResult& result);

// The .qnz bytes of a finished run: its compressed model, with its config and result
// (result_summary) in the header, so that `qnoise eval` and
// `qnoise inspect` know what the file claims.
std::string run_checkpoint(const RunConfig& config, const RunResult& result);

}  // namespace qn
