#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "nn/quantizable_layer.h"
#include "nn/script_form.h"

namespace qn {

// Linear and Conv2d with quantizable weights; parameters named "weight" and "bias" as in
// torch::nn, initialised as torch::nn does (uniform in +-1/sqrt(fan_in)).

class QLinearImpl : public torch::nn::Module, public QuantizableLayer, public ScriptForm {
 public:
  QLinearImpl(int64_t in_features, int64_t out_features, bool bias = true);

  torch::Tensor forward(const torch::Tensor& input);
  std::string script_forward() const override;
  LayerKind layer_kind() const override { return LayerKind::Linear; }
  bool can_compute_from_codes() const override { return true; }
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

class QConv2dImpl : public torch::nn::Module, public QuantizableLayer, public ScriptForm {
 public:
  explicit QConv2dImpl(const QConv2dOptions& options);

  torch::Tensor forward(const torch::Tensor& input);
  std::string script_forward() const override;
  LayerKind layer_kind() const override { return LayerKind::Conv2d; }
  bool can_compute_from_codes() const override {
    return options_.kernel_size == 1 && options_.groups == 1;
  }
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

// An embedding table (vocabulary, dim) with a quantizable weight, initialised N(0, 1/dim)
// so that tied output logits start small. current_weight() is the weight this forward
// uses (noisy or from the codebook in training): a tied language model calls it once and
// uses it both to look tokens up and to project back, so both see the same noise draw.
class QEmbeddingImpl : public torch::nn::Module, public QuantizableLayer, public ScriptForm {
 public:
  QEmbeddingImpl(int64_t vocabulary, int64_t dim);

  torch::Tensor forward(const torch::Tensor& tokens);
  std::string script_forward() const override;
  torch::Tensor current_weight() { return forward_weight(is_training()); }
  LayerKind layer_kind() const override { return LayerKind::Embedding; }
  bool can_compute_from_codes() const override { return true; }
  torch::Tensor& weight() override { return weight_; }

 protected:
  torch::Tensor register_centroids(const torch::Tensor& centroids) override {
    return register_parameter("centroids", centroids);
  }

 private:
  torch::Tensor weight_;
};
TORCH_MODULE(QEmbedding);

}  // namespace qn
