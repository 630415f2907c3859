#include "noise/noise_spec.h"

#include "common/error.h"

namespace qn {

double NoiseSpec::rate() const {
  switch (mode) {
    case NoiseMode::None:
      return 0.0;
    case NoiseMode::Ste:
      return 1.0;
    case NoiseMode::QuantNoise:
      return p;
  }
  return 0.0;
}

NoiseMode parse_noise_mode(const std::string& name) {
  if (name == "none") return NoiseMode::None;
  if (name == "ste") return NoiseMode::Ste;
  if (name == "quant-noise") return NoiseMode::QuantNoise;
  throw InputError("unknown noise.mode '" + name + "' (expected none, ste or quant-noise)");
}

NoiseForm parse_noise_form(const std::string& name) {
  if (name == "proxy") return NoiseForm::Proxy;
  if (name == "exact") return NoiseForm::Exact;
  throw InputError("unknown noise.form '" + name + "' (expected proxy or exact)");
}

std::string to_string(NoiseMode mode) {
  switch (mode) {
    case NoiseMode::None:
      return "none";
    case NoiseMode::Ste:
      return "ste";
    case NoiseMode::QuantNoise:
      return "quant-noise";
  }
  return "?";
}

std::string to_string(NoiseForm form) { return form == NoiseForm::Proxy ? "proxy" : "exact"; }

void validate(const NoiseSpec& spec, bool product_quantizer) {
  if (!(spec.p >= 0.0 && spec.p <= 1.0)) {
    throw InputError("noise.p must be between 0 and 1 (got " + std::to_string(spec.p) + ")");
  }
  if (product_quantizer && spec.form == NoiseForm::Proxy && spec.rate() >= 1.0) {
    throw InputError(
        "the proxy noise form drops blocks and rescales the rest by 1/(1-p): it needs p < 1; "
        "use noise.form exact for STE or p = 1");
  }
}

}  // namespace qn
