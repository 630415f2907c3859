#pragma once

#include <string>

#include "config/run_config.h"
#include "quant/size_report.h"
#include "train/training_events.h"

namespace qn {

struct RunResult {
  std::string metric_name;  // "accuracy"
  double metric = 0;        // of the compressed model, as it would be exported
  double float_metric = 0;  // of the trained model before compression (noise off)
  SizeReport size;
  double seconds = 0;
  std::string device;
  int64_t steps = 0;
};

// One image-classification run (tasks fashion-mnist, idx): load the data, build the
// ConvNet, train with the configured noise, compress with the configured quantizer,
// re-estimate BatchNorm, evaluate on the test set. Deterministic given the config on one
// device.
RunResult run_image_classification(const RunConfig& config, TrainingObserver* observer,
                                   const CancelToken* cancel);

// The folder a task reads its images from: data.dir, or Debian's Fashion-MNIST.
std::string image_folder(const RunConfig& config);

}  // namespace qn
