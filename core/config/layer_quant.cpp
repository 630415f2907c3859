#include "config/layer_quant.h"

#include <regex>

namespace qn {

std::string exact_layer_pattern(const std::string& name) {
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  return "^" + std::regex_replace(name, special, R"(\$&)") + "$";
}

std::optional<size_t> matching_layer_override(const QuantConfig& quant, const std::string& name) {
  for (size_t i = 0; i < quant.layers.size(); ++i) {
    if (std::regex_search(name, std::regex(quant.layers[i].pattern))) return i;
  }
  return std::nullopt;
}

QuantConfig with_override(const QuantConfig& quant, const LayerQuantOverride& layer) {
  auto settings = quant;
  if (layer.method) settings.method = *layer.method;
  if (layer.bits) settings.bits = *layer.bits;
  if (layer.observer) settings.observer = *layer.observer;
  if (layer.block_size) settings.block_size = *layer.block_size;
  if (layer.centroids) settings.centroids = *layer.centroids;
  return settings;
}

QuantConfig quant_for_layer(const QuantConfig& quant, const std::string& name) {
  const auto match = matching_layer_override(quant, name);
  return match ? with_override(quant, quant.layers[*match]) : quant;
}

}  // namespace qn
