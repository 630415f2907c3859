#include "nn/quantizable_layer.h"

namespace qn {

std::vector<NamedLayer> quantizable_layers(torch::nn::Module& model) {
  std::vector<NamedLayer> layers;
  for (const auto& item : model.named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
    if (auto* layer = dynamic_cast<QuantizableLayer*>(item.value().get())) {
      layers.push_back({item.key(), layer});
    }
  }
  return layers;
}

}  // namespace qn
