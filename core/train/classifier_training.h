#pragma once

#include <torch/nn/module.h>

#include <functional>

#include "common/error.h"
#include "config/run_config.h"
#include "data/labelled_images.h"
#include "train/training_events.h"

namespace qn {

using Forward = std::function<torch::Tensor(const torch::Tensor&)>;

// Minibatch training of an image classifier with cross-entropy: Adam or SGD with Nesterov
// momentum, warmup then decay, optional gradient clipping, shuffled by `config.seed` each
// epoch. Stops after `config.max_steps` if set, else after `config.epochs`. Reports every
// step to `observer`, checks `cancel` every step (RunCancelled), and stops with a
// RuntimeFailure naming the step if the loss is not finite. Returns the steps taken.
int64_t train_classifier(torch::nn::Module& model, const Forward& forward,
                         const LabelledImages& train, const TrainConfig& config,
                         TrainingObserver* observer, const CancelToken* cancel);

// Top-1 accuracy in [0, 1], in evaluation mode, without gradients.
double classification_accuracy(torch::nn::Module& model, const Forward& forward,
                               const LabelledImages& data, int64_t batch_size = 256);

// Re-estimates BatchNorm running statistics from `batches` training batches (PAPER.md:
// after weights are replaced by quantized values a ConvNet's accuracy can collapse without
// it). No gradients; leaves the model in evaluation mode.
void recalibrate_batchnorm(torch::nn::Module& model, const Forward& forward,
                           const LabelledImages& train, int64_t batch_size, int64_t batches,
                           uint64_t seed);

class RunCancelled : public Error {
 public:
  RunCancelled() : Error("the run was cancelled") {}
};

}  // namespace qn
