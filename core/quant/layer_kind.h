#pragma once

#include <string>

namespace qn {

// The weight-bearing layer kinds that quantizers know how to split into blocks.
enum class LayerKind { Linear, Conv2d, Embedding };

std::string to_string(LayerKind kind);

// A quantizable weight, named as in the model (e.g. "features.3.conv", "fc1").
struct LayerInfo {
  std::string name;
  LayerKind kind = LayerKind::Linear;
};

}  // namespace qn
