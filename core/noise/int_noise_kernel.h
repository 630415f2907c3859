#pragma once

#include <torch/types.h>

#include "quant/affine_quantizer.h"

namespace qn {

// int_noise's correction on the CPU in one parallel pass over a float32 weight:
// phi(w) - w where the weight is selected, 0 elsewhere, phi being fake_quantize (bit for
// bit). What it replaces took ten passes and a serial random-number generator: on a
// Linear(1024 -> 4096) weight the tensor-op chain cost 11 ms a forward (6.4 ms of it the
// mask's random words from LibTorch's single mt19937), against a 58 ms training step.
//
// The selection is the same Bernoulli(rate) as draw_weight_mask's (a 16-bit uniform number
// below rate * 2^16), drawn from noise/counter_random.h so that any thread may draw any
// weight's: torch::manual_seed still makes a run repeat, whatever the number of threads.
torch::Tensor int_noise_correction_cpu(const torch::Tensor& weight, const AffineParams& params,
                                       double rate);

}  // namespace qn
