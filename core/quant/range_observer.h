#pragma once

#include <torch/types.h>

#include <string>

#include "quant/affine_quantizer.h"

namespace qn {

// How the clipping range [lo, hi] of an int quantizer is chosen from the weight.
enum class RangeObserver {
  MinMax,     // the tensor's min and max: nothing clipped, one scale for the tensor
  Channel,    // min and max per output channel (axis 0): one scale per channel
  Histogram,  // the range minimising the expected quantization MSE over a histogram
};

RangeObserver parse_range_observer(const std::string& name);  // "minmax", "channel", "histogram"
std::string to_string(RangeObserver observer);

// Observes `weight` and returns the affine parameters for `bits`-bit codes.
AffineParams observe_range(const torch::Tensor& weight, int bits, RangeObserver observer);

}  // namespace qn
