#pragma once

#include <torch/nn/module.h>

#include "config/run_config.h"

namespace qn {

// Gives every quantizable layer of `model` the training noise the config asks for:
// noise.mode none leaves the layers plain; ste and quant-noise attach int noise (int) or
// PQ noise in the configured form (pq), at rate 1 or p. Layouts are checked here, so a
// block size that does not divide a layer fails before training, naming the layer.
void attach_noise(torch::nn::Module& model, const QuantConfig& quant, const NoiseSpec& noise,
                  uint64_t seed);

}  // namespace qn
