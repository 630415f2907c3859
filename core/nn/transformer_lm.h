#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/normalization.h>

#include <vector>

#include "nn/quantizable_modules.h"
#include "nn/script_form.h"

namespace qn {

struct TransformerLMOptions {
  int64_t vocabulary = 10000;
  int64_t dim = 128;
  int64_t layers = 2;
  int64_t heads = 4;
  int64_t ffn = 512;           // the feed-forward hidden width
  int64_t context = 64;        // the longest input; learned positions
  bool tied_embeddings = true;  // output projection = the embedding table
  double dropout = 0.1;
  double layerdrop = 0.0;  // each layer skipped with this probability in training
};

// Causal multi-head self-attention with four quantizable projections.
class SelfAttentionImpl : public torch::nn::Module, public ScriptForm {
 public:
  SelfAttentionImpl(int64_t dim, int64_t heads, double dropout);
  torch::Tensor forward(const torch::Tensor& input);  // (N, T, dim) -> (N, T, dim)
  std::string script_forward() const override;

 private:
  int64_t dim_, heads_;
  QLinear query_, key_, value_, output_;
  torch::nn::Dropout attention_dropout_;
};
TORCH_MODULE(SelfAttention);

// Two quantizable projections with a GELU between.
class FeedForwardImpl : public torch::nn::Module, public ScriptForm {
 public:
  FeedForwardImpl(int64_t dim, int64_t hidden, double dropout);
  torch::Tensor forward(const torch::Tensor& input);
  std::string script_forward() const override;

 private:
  QLinear expand_, project_;
  torch::nn::Dropout dropout_;
};
TORCH_MODULE(FeedForward);

// A pre-norm Transformer layer: x + attention(norm(x)), then x + ffn(norm(x)).
class TransformerLayerImpl : public torch::nn::Module, public ScriptForm {
 public:
  TransformerLayerImpl(const TransformerLMOptions& options);
  torch::Tensor forward(const torch::Tensor& input);
  std::string script_forward() const override;

 private:
  torch::nn::LayerNorm attention_norm_, ffn_norm_;
  SelfAttention attention_;
  FeedForward ffn_;
  torch::nn::Dropout dropout_;
};
TORCH_MODULE(TransformerLayer);

// A word-level Transformer language model (Fan et al. 2020's language-modelling setting in
// miniature): token embedding + learned positions, pre-norm layers, a final LayerNorm and
// an output projection tied to the embedding (or its own layer "output"). Parameter names:
// embedding.weight, position, layers.I.attention.{query,key,value,output}.*,
// layers.I.ffn.{expand,project}.*, layers.I.{attention_norm,ffn_norm}.*, final_norm.*.
// LayerDrop (Fan et al., 2019): in training each layer is skipped with probability
// `layerdrop` (drawn from the CPU generator, so a seeded run repeats); keep_layers() prunes
// the model to a subset for inference.
class TransformerLMImpl : public torch::nn::Module, public ScriptForm {
 public:
  explicit TransformerLMImpl(const TransformerLMOptions& options);
  // (N, T) int64 tokens, T <= context -> (N, T, vocabulary) logits.
  torch::Tensor forward(const torch::Tensor& tokens);
  std::string script_forward() const override;

  // Keeps only the listed layers (0-based, increasing), renumbered 0..n-1: their
  // parameters leave the model, so they leave the size too. Out-of-range or unordered
  // indices are an InputError.
  void keep_layers(const std::vector<int64_t>& kept);
  int64_t layer_count() const { return static_cast<int64_t>(layers_->size()); }

 private:
  TransformerLMOptions options_;
  QEmbedding embedding_;
  torch::Tensor position_;
  torch::nn::ModuleList layers_;
  torch::nn::LayerNorm final_norm_;
  QLinear output_{nullptr};
  torch::nn::Dropout dropout_;
};
TORCH_MODULE(TransformerLM);

}  // namespace qn
