#pragma once

#include <string>

#include "config/run_config.h"
#include "quant/compressed_model.h"
#include "quant/size_report.h"
#include "train/training_events.h"

namespace qn {

struct RunResult {
  std::string metric_name;  // "accuracy" or "perplexity"
  std::string evaluation_split;  // "test" (images) or "validation" (text)
  double metric = 0;        // of the compressed model, rebuilt from `compressed`
  double float_metric = 0;  // of the trained model before compression (noise off)
  CompressedModel compressed;  // every tensor as the checkpoint stores it
  SizeReport size;             // compressed.size()
  double seconds = 0;
  std::string device;
  int64_t steps = 0;
};

// One run, any task: check the config (check_before_training), load the data, build the
// model, train with the configured noise, prune (model.keep_layers), run iPQ if asked (with
// distillation if asked), compress with the configured quantizer, re-estimate BatchNorm,
// store the other tensors, and evaluate a fresh model built from the compressed tensors,
// exactly as `qnoise eval` rebuilds it from the exported file. Deterministic given the
// config on one device.
//
// Reports its stages to `observer` in order: "loading data", "training", iPQ's own
// ("ipq stage 1/5: stem"...), "compressing", "re-estimating BatchNorm" (quantized models
// with BatchNorm), "evaluating". Every stage after loading the data checks `cancel` between
// units of work (a step, a k-means distance chunk, a layer, a batch) and stops with
// RunCancelled.
RunResult run_training(const RunConfig& config, TrainingObserver* observer,
                       const CancelToken* cancel);

}  // namespace qn
