#pragma once

#include <string>

namespace qn {

// How training sees the quantizer (docs/method.md section 5):
enum class NoiseMode {
  None,        // train in float, quantize afterwards (post-training quantization)
  Ste,         // every weight quantized at every forward, straight-through gradient (QAT)
  QuantNoise,  // a random subset of rate p quantized at each forward, STE on it alone
};

// What a selected PQ block becomes during training.
enum class NoiseForm {
  Proxy,  // zero, the kept blocks scaled by 1/(1-p), as dropout: needs no codebook
  Exact,  // its nearest centroid in a codebook re-fitted on a schedule
};

struct NoiseSpec {
  NoiseMode mode = NoiseMode::None;
  double p = 0.0;  // used by QuantNoise
  NoiseForm form = NoiseForm::Proxy;

  // The fraction of weights or blocks quantized at each training forward: 0, 1 or p.
  double rate() const;
};

NoiseMode parse_noise_mode(const std::string& name);  // "none", "ste", "quant-noise"
NoiseForm parse_noise_form(const std::string& name);  // "proxy", "exact"
std::string to_string(NoiseMode mode);
std::string to_string(NoiseForm form);

// Throws InputError unless 0 <= p <= 1 and, for product quantizers (where the form
// applies), the proxy form's rate is below 1 (it rescales kept blocks by 1/(1-p)).
void validate(const NoiseSpec& spec, bool product_quantizer);

}  // namespace qn
