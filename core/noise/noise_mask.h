#pragma once

#include <torch/types.h>

#include "quant/block_layout.h"

namespace qn {

// Bernoulli(rate) selections drawn on the weight's device, repeatable by torch::manual_seed:
// on a GPU as whole tensors from LibTorch's generator; on the CPU the block selection comes
// from the parallel counter-based stream of noise/counter_random.h (and int noise's
// weight selection, fused into its kernel: noise/int_noise_kernel.h).

// One draw per block of `layout`: (block_count) bool, true where the block is selected.
torch::Tensor draw_block_selection(const BlockLayout& layout, double rate,
                                   const torch::Device& device);

// One draw per weight (blocks of one weight, as scalar intN noise uses), of the weight's
// shape. A weight is selected when a uniform 16-bit number falls below rate * 2^16 (so the
// rate is rounded to a multiple of 2^-16); each 64-bit random word gives four of them, a
// quarter of the generator calls of torch::rand, which dominate this mask's cost on CPU.
torch::Tensor draw_weight_mask(const torch::Tensor& weight, double rate);

}  // namespace qn
