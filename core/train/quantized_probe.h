#pragma once

#include "config/run_config.h"
#include "data/task_data.h"
#include "train/task_model.h"

namespace qn {

// How many training batches re-estimate BatchNorm for a probe: a quarter of the compressed
// model's default (quant.batchnorm_batches, 100), as a probe runs twice a stage (on the
// 2-core machine the probes were two thirds of an iPQ run's time at 100; at 25 the last
// stage's probe after fine-tuning stays within 0.1 points of the compressed model's metric,
// tests/core/test_shared_training.cpp).
constexpr int64_t kProbeRecalibrationBatches = 25;

// The metric of `model` as it computes now (layers already quantized use their codes),
// with its BatchNorm statistics re-estimated from kProbeRecalibrationBatches training
// batches. Leaves the model's BatchNorm statistics and the global random stream as it
// found them, so that measuring changes nothing that follows (iPQ's stage metrics).
double probe_metric(TaskModel& model, const TaskData& data, const RunConfig& config,
                    const CancelToken* cancel);

}  // namespace qn
