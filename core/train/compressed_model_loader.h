#pragma once

#include <torch/types.h>

#include "config/run_config.h"
#include "data/task_data.h"
#include "quant/compressed_model.h"
#include "train/evaluation.h"
#include "train/task_model.h"

namespace qn {

// How a loaded model computes with its product-quantized weights. Decoded: with the
// weights decoded from the codebooks, as training evaluated them. LookupTables: a built-in
// model's PQ Linear, Embedding and 1x1 convolution layers compute from their codes
// (quant/pq_lookup.h: lookup tables where they cost less arithmetic than the dense
// product, else the weight decoded for each call), and their float weights are freed; the
// rest as Decoded. CPU only.
enum class InferenceEngine { Decoded, LookupTables };
InferenceEngine parse_inference_engine(const std::string& name);  // "decoded", "lut"

// A fresh model of config's architecture for `data` on `device` (pruned to
// model.keep_layers), every parameter and buffer set to the decoded tensor of that name:
// the model a checkpoint defines, ready for evaluation. A tensor the model needs and
// `compressed` lacks, one the model has no place for, or a shape that differs is an
// InputError naming the tensor; so is LookupTables on a model with no layer it serves, on
// a torchscript model (its layers run inside TorchScript) and on another device than the CPU.
TaskModel load_compressed_model(const RunConfig& config, const TaskData& data,
                                const CompressedModel& compressed, const torch::Device& device,
                                InferenceEngine engine = InferenceEngine::Decoded);

// What a built-in model needs to know of its data (image shape and classes, or the
// vocabulary), read from the shapes of the checkpoint's own tensors, so that exporting
// needs no dataset; empty for a torchscript model, which carries its shapes. A tensor the
// architecture must have and the checkpoint lacks is an InputError naming it.
TaskData data_shapes_from_checkpoint(const RunConfig& config, const CompressedModel& compressed);

// The metric of a compressed model on the task's evaluation split: what a run stores and
// what `qnoise eval` recomputes from the file, by the same code. Checks `cancel` before
// each batch (RunCancelled).
Evaluation evaluate_compressed_model(const RunConfig& config, const TaskData& data,
                                     const CompressedModel& compressed, const torch::Device& device,
                                     const CancelToken* cancel = nullptr,
                                     InferenceEngine engine = InferenceEngine::Decoded);

}  // namespace qn
