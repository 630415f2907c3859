#pragma once

#include <torch/nn/module.h>

#include <memory>

#include "common/cancellation.h"
#include "config/run_config.h"
#include "nn/quantizable_layer.h"
#include "quant/compressed_model.h"
#include "quant/plain_quantizer.h"
#include "quant/quantizer.h"
#include "train/input_moments.h"

namespace qn {

// The quantizable layers of `model` the config compresses: all but those a quant.exclude
// pattern is found in or a quant.layers entry gives method none. An excluded layer's weight is stored with the other tensors
// (add_plain_tensors), takes no training noise and is in no iPQ stage.
std::vector<NamedLayer> compressed_layers(torch::nn::Module& model, const QuantConfig& quant);

// The quantizer quant.method asks for (none, int, pq; ipq's one-shot form is pq), with the
// config's options. K is given per layer by compress_weights. A PQ quantizer checks
// `cancel` inside k-means, and weighs its k-means by `importance` if defined
// (activation-aware PQ, PqOptions::importance).
std::unique_ptr<Quantizer> make_quantizer(const QuantConfig& quant, int64_t centroids,
                                          uint64_t seed, const CancelToken* cancel = nullptr,
                                          const torch::Tensor& importance = {});

// K for one layer: quant.centroids, lowered so that each centroid has at least 4 blocks
// (a K = 256 codebook on a 16-block layer would store every block as its own centroid).
int64_t centroids_for_layer(int64_t configured, int64_t block_count);

// quant.plain_bits as a width.
PlainWidth plain_width(const QuantConfig& quant);

// Compresses the weight of every quantizable layer of `model` with its quantizer (the
// config's, or its quant.layers entry's: quant_for_layer)
// (a layer that uses a codebook after iPQ keeps its fine-tuned codes and its codebook,
// rounded to the storage format) and writes the stored values back into the model, which
// then computes exactly as the checkpoint will; removes the layers' training noise.
// Checks `cancel` before each layer and inside k-means (RunCancelled; the model is then
// partly compressed, and the run abandoned). A layer with input statistics in `moments`
// is product-quantized activation-aware (layer_importance).
CompressedModel compress_weights(torch::nn::Module& model, const QuantConfig& quant, uint64_t seed,
                                 const CancelToken* cancel = nullptr,
                                 const InputMoments& moments = {});

// Adds every other parameter and buffer of `model` (biases, norms, BatchNorm statistics;
// not BatchNorm's batch counter) at quant.plain_bits, writing the rounded values back, and
// the other names of tied tensors (tied_tensor_names). Separate from compress_weights so
// that BatchNorm can be re-estimated in between.
void add_plain_tensors(torch::nn::Module& model, const QuantConfig& quant,
                       CompressedModel& compressed);

// True for buffers a checkpoint leaves out (BatchNorm's num_batches_tracked: training only).
bool is_training_only_buffer(const std::string& name);

}  // namespace qn
