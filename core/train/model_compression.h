#pragma once

#include <torch/nn/module.h>

#include <memory>

#include "config/run_config.h"
#include "quant/quantizer.h"
#include "quant/size_report.h"

namespace qn {

// The quantizer quant.method asks for (none, int, pq; ipq's one-shot form is pq), with the
// config's options. K is given per layer by compress_model.
std::unique_ptr<Quantizer> make_quantizer(const QuantConfig& quant, int64_t centroids,
                                          uint64_t seed);

// K for one layer: quant.centroids, lowered so that each centroid has at least 4 blocks
// (a K = 256 codebook on a 16-block layer would store every block as its own centroid).
int64_t centroids_for_layer(int64_t configured, int64_t block_count);

// Compresses every quantizable layer of `model` with the config's quantizer (a layer that
// uses a codebook after iPQ keeps its fine-tuned codebook and codes) and writes the
// decoded weight back into it (the model then computes exactly as the compressed file
// will), removes its training noise, and returns the exact size of the whole model: the
// compressed weights plus every other parameter and buffer (biases, BatchNorm) in fp32.
SizeReport compress_model(torch::nn::Module& model, const QuantConfig& quant, uint64_t seed);

}  // namespace qn
