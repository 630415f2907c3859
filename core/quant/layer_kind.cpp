#include "quant/layer_kind.h"

namespace qn {

std::string to_string(LayerKind kind) {
  switch (kind) {
    case LayerKind::Linear:
      return "Linear";
    case LayerKind::Conv2d:
      return "Conv2d";
    case LayerKind::Embedding:
      return "Embedding";
  }
  return "?";
}

}  // namespace qn
