#include "config/choices.h"

namespace qn {

bool QuantizerChoice::matches(const QuantConfig& quant) const {
  if (quant.method != method) return false;
  if (method == QuantMethod::Int) return bits == 0 || bits == quant.bits;
  return !uses_codebooks(method) || centroid_bits == quant.centroid_bits;
}

void QuantizerChoice::apply_to(QuantConfig& quant) const {
  quant.method = method;
  if (method == QuantMethod::Int && bits > 0) quant.bits = bits;
  if (uses_codebooks(method)) quant.centroid_bits = centroid_bits;
}

nlohmann::json QuantizerChoice::fixed_values() const {
  nlohmann::json values = {{"method", to_string(method)}};
  if (method == QuantMethod::Int && bits > 0) values["bits"] = bits;
  if (uses_codebooks(method)) values["centroid_bits"] = centroid_bits;
  return values;
}

const std::vector<QuantizerChoice>& quantizer_choices() {
  static const std::vector<QuantizerChoice> choices = {
      {"fp32", QuantMethod::None, 0, 16},  {"int8", QuantMethod::Int, 8, 16},
      {"int4", QuantMethod::Int, 4, 16},   {"intN", QuantMethod::Int, 0, 16},
      {"PQ", QuantMethod::PQ, 0, 16},      {"iPQ", QuantMethod::IPQ, 0, 16},
      {"iPQ + int8", QuantMethod::IPQ, 0, 8},
  };
  return choices;
}

size_t quantizer_choice_of(const QuantConfig& quant) {
  const auto& choices = quantizer_choices();
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i].matches(quant)) return i;
  }
  return 0;  // not reached: every method has a choice that takes any width
}

const std::vector<NoiseModeChoice>& noise_mode_choices() {
  static const std::vector<NoiseModeChoice> choices = {
      {"none (post-training)", NoiseMode::None},
      {"STE (QAT, p = 1)", NoiseMode::Ste},
      {"Quant-Noise", NoiseMode::QuantNoise},
  };
  return choices;
}

size_t noise_mode_choice_of(NoiseMode mode) {
  const auto& choices = noise_mode_choices();
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i].mode == mode) return i;
  }
  return 0;
}

double recommended_noise_rate(QuantMethod method) {
  return uses_codebooks(method) ? 0.1 : 0.5;
}

const std::vector<std::string>& observer_names() {
  static const std::vector<std::string> names = {"minmax", "channel", "histogram"};
  return names;
}

const std::vector<std::string>& noise_form_names() {
  static const std::vector<std::string> names = {"proxy", "exact"};
  return names;
}

const std::vector<std::string>& device_names() {
  static const std::vector<std::string> names = {"auto", "cpu", "cuda"};
  return names;
}

const std::vector<std::string>& task_names() {
  static const std::vector<std::string> names = {"fashion-mnist", "idx", "cifar10",
                                                 "image-folder", "brown-lm", "text-lm",
                                                 "text-classification"};
  return names;
}

}  // namespace qn
