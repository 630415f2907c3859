#include "nn/quantizable_layer.h"

namespace qn {

void QuantizableLayer::use_codebook(const BlockLayout& layout, const torch::Tensor& centroids,
                                    const torch::Tensor& codes, bool average_gradients) {
  TORCH_CHECK(!uses_codebook(), "layer already uses a codebook");
  layout_ = layout;
  centroids_ = register_centroids(centroids.detach().clone().requires_grad_(true));
  codes_ = codes.detach().clone();
  if (average_gradients) {
    const auto cluster_sizes =
        torch::bincount(codes_, {}, centroids.size(0)).clamp_min(1).to(centroids.dtype());
    centroids_.register_hook(
        [cluster_sizes](const torch::Tensor& grad) { return grad / cluster_sizes.unsqueeze(1); });
  }
  weight().set_requires_grad(false);
  noise_.reset();
}

torch::Tensor QuantizableLayer::forward_weight(bool training) {
  if (layout_) return layout_->from_blocks(centroids_.index_select(0, codes_));
  return training && noise_ ? noise_->apply(weight()) : weight();
}

std::vector<NamedLayer> quantizable_layers(torch::nn::Module& model) {
  std::vector<NamedLayer> layers;
  for (const auto& item : model.named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
    if (auto* layer = dynamic_cast<QuantizableLayer*>(item.value().get())) {
      const auto attribute = layer->weight_attribute();
      layers.push_back({attribute == "weight" ? item.key() : item.key() + "." + attribute, layer});
    }
  }
  return layers;
}

namespace {

bool names_its_tensor(const std::string& layer) {
  const std::string suffix = "_weight";
  return layer.size() > suffix.size() &&
         layer.compare(layer.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string weight_tensor_name(const std::string& layer) {
  return names_its_tensor(layer) ? layer : layer + ".weight";
}

std::string centroids_tensor_name(const std::string& layer) {
  if (!names_its_tensor(layer)) return layer + ".centroids";
  const auto dot = layer.rfind('.');
  return dot == std::string::npos ? "centroids" : layer.substr(0, dot) + ".centroids";
}

}  // namespace qn
