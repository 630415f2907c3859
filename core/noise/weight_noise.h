#pragma once

#include <torch/types.h>

#include "quant/affine_quantizer.h"
#include "quant/block_layout.h"

namespace qn {

// The noisy weights of one training forward (docs/method.md section 5.2):
//   W_noisy = W + J * (phi(W) - W),  J a Bernoulli(p) mask, phi's gradient taken as identity.
// Each returns a new tensor and never touches W: the public implementation overwrote the
// stored weight on every forward, so dropped blocks stayed zero (docs/method.md section
// 5.5). Gradients reach W exactly off the selected subset and straight through on it.

// Scalar intN: a Bernoulli(rate) subset of weights replaced by its fake-quantized value.
// rate 1 is QAT with the STE; rate 0 returns W itself.
torch::Tensor int_noise(const torch::Tensor& weight, const AffineParams& params, double rate);

// PQ, proxy form: a Bernoulli(rate) subset of blocks zeroed, the rest scaled by 1/(1-rate)
// so that the expected weight is W (like dropout; gradients flow only through kept blocks).
torch::Tensor pq_proxy_noise(const torch::Tensor& weight, const BlockLayout& layout, double rate);

// PQ, exact form: a Bernoulli(rate) subset of blocks replaced by its nearest centroid among
// `centroids` (K, b), with the straight-through gradient on them.
torch::Tensor pq_exact_noise(const torch::Tensor& weight, const BlockLayout& layout,
                             const torch::Tensor& centroids, double rate);

}  // namespace qn
