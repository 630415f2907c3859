#pragma once

#include <torch/types.h>

#include <vector>

#include "quant/layer_kind.h"

namespace qn {

// Activation-aware PQ (docs/engine.md, Activation-aware PQ): the weight k-means gives
// each weight entry, shaped like the weight, from the layer's input second moments.
//
// A Linear layer's output error from replacing weight row w_i by w_i + e is e.x, whose mean
// square over the inputs is e^T H e with H = E[x x^T]; keeping H's diagonal, entry (i, j)
// weighs h_j = E[x_j^2]. A Conv2d entry (o, c, ky, kx) multiplies input channel c of o's
// group, shifted by (ky, kx): every kernel position sees the same pixels but for the
// padded border, so the channel's E[x^2] stands for all its positions.
//
// `moments` (in_features, or in_channels) float32 >= 0. Each weight is the moment plus 1%
// of the moments' mean (the damping GPTQ adds to H's diagonal): an input that is always 0
// still gets a positive weight, so its coordinate keeps the plain mean of its blocks
// instead of an arbitrary value. Moments that are all 0 give equal weights (plain PQ).
// Embedding has no input vector to weigh (a token picks a row); it is not supported here.
torch::Tensor input_importance(const torch::Tensor& moments, LayerKind kind,
                               const std::vector<int64_t>& weight_shape);

}  // namespace qn
