#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "noise/layer_noise.h"
#include "quant/layer_kind.h"

namespace qn {

// A layer whose weight QNStudio quantizes: Linear, Conv2d, Embedding. In training mode its
// forward uses the weight through its LayerNoise, if it has one; in evaluation mode the
// weight as it is (the compressed model's weight is written into it before evaluation).
class QuantizableLayer {
 public:
  virtual ~QuantizableLayer() = default;

  virtual LayerKind layer_kind() const = 0;
  virtual torch::Tensor& weight() = 0;

  void set_noise(std::unique_ptr<LayerNoise> noise) { noise_ = std::move(noise); }

 protected:
  torch::Tensor forward_weight(bool training) {
    return training && noise_ ? noise_->apply(weight()) : weight();
  }

 private:
  std::unique_ptr<LayerNoise> noise_;
};

struct NamedLayer {
  std::string name;  // the module path, e.g. "blocks.1.expand"
  QuantizableLayer* layer;
};

// Every quantizable layer of `model`, in registration order (bottom to top).
std::vector<NamedLayer> quantizable_layers(torch::nn::Module& model);

}  // namespace qn
