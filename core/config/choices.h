#pragma once

#include <string>
#include <vector>

#include "config/run_config.h"

namespace qn {

// The named choices people pick from (the GUI's lists, the sweep dialog's axes), with
// their labels, so that no front end spells a config value or its label again.

// A quantizer as people name it: "int4", "iPQ + int8". It sets quant.method and, where the
// name fixes them, quant.bits and quant.centroid_bits.
struct QuantizerChoice {
  std::string label;
  QuantMethod method;
  int bits;           // int: the width; 0 = any (intN: the user's quant.bits)
  int centroid_bits;  // PQ and iPQ: 16 (fp16 codebooks) or 8 (int8)

  // Whether `quant` is this choice (bits and codebooks compared only where they apply).
  bool matches(const QuantConfig& quant) const;
  // Sets the fields this choice fixes, leaving the others.
  void apply_to(QuantConfig& quant) const;
  // The quant.* values it fixes, as a sweep axis sets them ({"method": "int", "bits": 4}).
  nlohmann::json fixed_values() const;
};

// fp32, int8, int4, intN, PQ, iPQ, iPQ + int8, in this order.
const std::vector<QuantizerChoice>& quantizer_choices();
// The index of the first choice that `quant` matches (intN for any other width).
size_t quantizer_choice_of(const QuantConfig& quant);

struct NoiseModeChoice {
  std::string label;
  NoiseMode mode;
};
// none (post-training), STE (QAT, p = 1), Quant-Noise, in this order.
const std::vector<NoiseModeChoice>& noise_mode_choices();
size_t noise_mode_choice_of(NoiseMode mode);

// The Quant-Noise rate a new run starts at, the paper's: 0.1 for product quantization (it
// recommends 0.05 to 0.2), 0.5 for scalar quantization (its public int8 example).
double recommended_noise_rate(QuantMethod method);

// The values of quant.observer, noise.form, device and the built-in tasks.
const std::vector<std::string>& observer_names();
const std::vector<std::string>& noise_form_names();
const std::vector<std::string>& device_names();
const std::vector<std::string>& task_names();

}  // namespace qn
