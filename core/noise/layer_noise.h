#pragma once

#include <torch/types.h>

#include <memory>

#include "noise/noise_spec.h"
#include "quant/affine_quantizer.h"
#include "quant/block_layout.h"
#include "quant/range_observer.h"

namespace qn {

// The Quant-Noise a layer applies to its weight at each training forward (weight_noise.h
// has the operators). It holds what the noise needs between forwards: the int scale and
// zero point, or the PQ codebook, refreshed every `refresh_every` forwards from the
// current weight.
class LayerNoise {
 public:
  virtual ~LayerNoise() = default;
  // The noisy weight for one training forward; `weight` itself is never modified.
  virtual torch::Tensor apply(const torch::Tensor& weight) = 0;
};

struct IntNoiseOptions {
  int bits = 8;
  RangeObserver observer = RangeObserver::MinMax;
  double rate = 0.0;
  int64_t refresh_every = 100;  // forwards between re-observing the range
};

std::unique_ptr<LayerNoise> make_int_noise(const IntNoiseOptions& options);

struct PqNoiseOptions {
  NoiseForm form = NoiseForm::Proxy;
  double rate = 0.0;
  int64_t centroids = 256;      // exact form: codebook size (clamped to the block count)
  int64_t refresh_every = 500;  // exact form: forwards between codebook re-fits
  int refit_iterations = 5;     // exact form: k-means iterations a re-fit, warm-started
  uint64_t seed = 0;
};

std::unique_ptr<LayerNoise> make_pq_noise(const BlockLayout& layout, const PqNoiseOptions& options);

}  // namespace qn
