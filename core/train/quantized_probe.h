#pragma once

#include "config/run_config.h"
#include "data/task_data.h"
#include "train/task_model.h"

namespace qn {

// The metric of `model` as it computes now (layers already quantized use their codes),
// with its BatchNorm statistics re-estimated as a compressed model's are. Leaves the
// model's BatchNorm statistics and the global random stream as it found them, so that
// measuring changes nothing that follows (iPQ's stage metrics).
double probe_metric(TaskModel& model, const TaskData& data, const RunConfig& config,
                    const CancelToken* cancel);

// How many training batches re-estimate BatchNorm after quantization.
constexpr int64_t kRecalibrationBatches = 100;

}  // namespace qn
