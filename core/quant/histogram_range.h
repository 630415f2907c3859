#pragma once

#include <torch/types.h>

#include <utility>

namespace qn {

// The clipping range [lo, hi] (lo <= 0 <= hi) that minimises the expected squared error of
// `bits`-bit affine quantization of `values`, in the spirit of PyTorch's HistogramObserver.
// The values are binned; a candidate range costs
//   (values inside) * step^2 / 12   +   sum over values outside of (value - nearest end)^2,
// the first term being the rounding noise of a uniform quantizer. Every pair of candidate
// ends on a grid of bin edges is scored at once from prefix sums, so the full range is
// always among the candidates and the result is never worse than min-max by this measure.
std::pair<double, double> mse_optimal_range(const torch::Tensor& values, int bits);

}  // namespace qn
