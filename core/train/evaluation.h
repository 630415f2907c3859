#pragma once

#include <torch/nn/module.h>

#include <string>

#include "data/examples.h"
#include "nn/batchnorm_statistics.h"
#include "train/trainer.h"

namespace qn {

// A model's quality on a data set, in evaluation mode, without gradients.
struct Evaluation {
  double mean_cross_entropy = 0;  // nats per target (label or token)
  double accuracy = 0;            // top-1, in [0, 1]

  double perplexity() const;  // exp(mean cross-entropy)
  // The value of "accuracy" or "perplexity".
  double metric(const std::string& name) const;
};

// Checks `cancel` before each batch (RunCancelled).
Evaluation evaluate(torch::nn::Module& model, const Forward& forward, const Examples& data,
                    const CancelToken* cancel = nullptr, int64_t batch_size = 256);

// Re-estimates BatchNorm running statistics from `batches` training batches
// (docs/method.md section 6: after weights are replaced by quantized values a ConvNet's
// accuracy can collapse without it). No gradients; leaves the model in evaluation mode. A
// model without BatchNorm is left as it is. Checks `cancel` before it starts (RunCancelled,
// nothing changed) and after each batch (RunCancelled, the statistics partly re-estimated:
// the run is abandoned).
void recalibrate_batchnorm(torch::nn::Module& model, const Forward& forward, const Examples& train,
                           int64_t batch_size, int64_t batches, uint64_t seed,
                           const CancelToken* cancel = nullptr);

}  // namespace qn
