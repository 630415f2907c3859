#pragma once

#include <torch/nn/module.h>

#include <functional>
#include <vector>

namespace qn {

// Re-estimates the running statistics of every BatchNorm layer of a model as the plain
// average of the statistics of the batches fed through it in training mode between
// construction and finish(): torch::nn::BatchNorm2d layers (the built-in models) and the
// BatchNorm layers of a TorchScript model (scripted_model.h). A TorchScript BatchNorm's
// momentum is a constant of its graph, so each of its batches is recovered from the
// blended update (statistics zeroed before the batch, divided by the momentum after it).
class BatchNormEstimate {
 public:
  explicit BatchNormEstimate(torch::nn::Module& model);  // resets the statistics

  // One layer's part of the estimate.
  struct Layer {
    std::function<void()> before_batch, after_batch, finish;
  };

  bool empty() const { return layers_.empty(); }
  void before_batch();
  void after_batch();
  // Writes the averages (and the usual momentum back); the model is then ready to evaluate.
  void finish();

 private:
  std::vector<Layer> layers_;
};

// True if `model` holds a BatchNorm layer BatchNormEstimate re-estimates.
bool has_batchnorm(torch::nn::Module& model);

}  // namespace qn
