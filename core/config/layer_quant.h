#pragma once

#include <optional>
#include <string>

#include "config/run_config.h"

namespace qn {

// A layer name as the pattern (quant.exclude, quant.layers) that matches that layer alone,
// its regular-expression characters escaped: "fc.1" -> "^fc\\.1$".
std::string exact_layer_pattern(const std::string& name);

// The index of the first quant.layers entry whose pattern is found in layer `name`, if any.
std::optional<size_t> matching_layer_override(const QuantConfig& quant, const std::string& name);

// The settings layer `name` is compressed with: `quant` with its matching quant.layers
// entry applied (method, bits, observer, block sizes, K), or `quant` itself.
QuantConfig quant_for_layer(const QuantConfig& quant, const std::string& name);

// `quant` with the settings `layer` gives replacing the section's.
QuantConfig with_override(const QuantConfig& quant, const LayerQuantOverride& layer);

}  // namespace qn
