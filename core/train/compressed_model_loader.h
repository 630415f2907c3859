#pragma once

#include <torch/types.h>

#include "config/run_config.h"
#include "data/task_data.h"
#include "quant/compressed_model.h"
#include "train/evaluation.h"
#include "train/task_model.h"

namespace qn {

// A fresh model of config's architecture for `data` on `device` (pruned to
// model.keep_layers), every parameter and buffer set to the decoded tensor of that name:
// the model a checkpoint defines, ready for evaluation. A tensor the model needs and
// `compressed` lacks, one the model has no place for, or a shape that differs is an
// InputError naming the tensor.
TaskModel load_compressed_model(const RunConfig& config, const TaskData& data,
                                const CompressedModel& compressed, const torch::Device& device);

// The metric of a compressed model on the task's evaluation split: what a run stores and
// what `qnoise eval` recomputes from the file, by the same code. Checks `cancel` before
// each batch (RunCancelled).
Evaluation evaluate_compressed_model(const RunConfig& config, const TaskData& data,
                                     const CompressedModel& compressed, const torch::Device& device,
                                     const CancelToken* cancel = nullptr);

}  // namespace qn
