#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "nn/quantizable_layer.h"

namespace qn {

// Linear and Conv2d with quantizable weights; parameters named "weight" and "bias" as in
// torch::nn, initialised as torch::nn does (uniform in +-1/sqrt(fan_in)).

class QLinearImpl : public torch::nn::Module, public QuantizableLayer {
 public:
  QLinearImpl(int64_t in_features, int64_t out_features, bool bias = true);

  torch::Tensor forward(const torch::Tensor& input);
  LayerKind layer_kind() const override { return LayerKind::Linear; }
  torch::Tensor& weight() override { return weight_; }

 protected:
  torch::Tensor register_centroids(const torch::Tensor& centroids) override {
    return register_parameter("centroids", centroids);
  }

 private:
  torch::Tensor weight_, bias_;
};
TORCH_MODULE(QLinear);

struct QConv2dOptions {
  int64_t in_channels, out_channels, kernel_size;
  int64_t stride = 1;
  int64_t groups = 1;
  bool bias = false;  // followed by BatchNorm in our models
};

class QConv2dImpl : public torch::nn::Module, public QuantizableLayer {
 public:
  explicit QConv2dImpl(const QConv2dOptions& options);

  torch::Tensor forward(const torch::Tensor& input);
  LayerKind layer_kind() const override { return LayerKind::Conv2d; }
  torch::Tensor& weight() override { return weight_; }

 protected:
  torch::Tensor register_centroids(const torch::Tensor& centroids) override {
    return register_parameter("centroids", centroids);
  }

 private:
  QConv2dOptions options_;
  torch::Tensor weight_, bias_;
};
TORCH_MODULE(QConv2d);

}  // namespace qn
