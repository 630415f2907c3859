#pragma once

#include <torch/nn/module.h>

#include <map>
#include <string>
#include <vector>

#include "common/cancellation.h"
#include "config/run_config.h"
#include "data/examples.h"
#include "nn/quantizable_layer.h"
#include "train/trainer.h"

namespace qn {

// Activation-aware PQ's statistics (docs/engine.md, Activation-aware PQ): for each
// layer, the second moment E[x^2] of every input feature (Linear: the last dimension) or
// input channel (Conv2d: over batch and pixels), float32 on the model's device.
struct InputMoments {
  std::map<std::string, torch::Tensor> by_layer;
  double seconds = 0;  // wall time of gathering them
};

// The layers of `layers` whose k-means activation-aware PQ weighs: none unless
// quant.pq_objective is activations; else those product-quantized by their own settings
// (quant_for_layer), Linear or Conv2d (an Embedding's input is a token, not a vector), and
// not already on a codebook.
std::vector<NamedLayer> activation_aware_layers(const std::vector<NamedLayer>& layers,
                                                const QuantConfig& quant);

// Feeds quant.calibration_batches training batches of train.batch_size (drawn with
// train.seed, as BatchNorm re-estimation draws them) through `model` in evaluation mode,
// without gradients, and averages the squares of each of `layers`' inputs. The model
// computes as it is (a layer already on a codebook uses it), and is left in the mode it was
// in. Nothing is run when `layers` is empty. Checks `cancel` after each batch (RunCancelled).
InputMoments gather_input_moments(torch::nn::Module& model, const Forward& forward,
                                  const Examples& train, const std::vector<NamedLayer>& layers,
                                  const RunConfig& config, const CancelToken* cancel);

// The importance PQ gives layer `layer`'s weight entries (input_importance.h), from its
// moments in `moments`; undefined (plain PQ) if `moments` has none for it.
torch::Tensor layer_importance(const InputMoments& moments, const NamedLayer& layer);

}  // namespace qn
