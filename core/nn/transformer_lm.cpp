#include "nn/transformer_lm.h"

#include <cmath>
#include <limits>

#include "common/error.h"

namespace qn {

SelfAttentionImpl::SelfAttentionImpl(int64_t dim, int64_t heads, double dropout)
    : dim_(dim),
      heads_(heads),
      query_(register_module("query", QLinear(dim, dim))),
      key_(register_module("key", QLinear(dim, dim))),
      value_(register_module("value", QLinear(dim, dim))),
      output_(register_module("output", QLinear(dim, dim))),
      attention_dropout_(register_module("attention_dropout", torch::nn::Dropout(dropout))) {
  if (dim % heads != 0) {
    throw InputError("model.dim " + std::to_string(dim) + " is not divisible by model.heads " +
                     std::to_string(heads));
  }
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& input) {
  const int64_t batch = input.size(0), length = input.size(1), dim = input.size(2);
  const int64_t head_dim = dim / heads_;
  auto split_heads = [&](const torch::Tensor& x) {  // (N, T, dim) -> (N, heads, T, head_dim)
    return x.view({batch, length, heads_, head_dim}).transpose(1, 2);
  };
  const auto query = split_heads(query_->forward(input));
  const auto key = split_heads(key_->forward(input));
  const auto value = split_heads(value_->forward(input));
  auto scores = torch::matmul(query, key.transpose(-2, -1)) / std::sqrt(double(head_dim));
  const auto future =
      torch::ones({length, length}, input.options().dtype(torch::kBool)).triu(1);
  scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
  const auto weights = attention_dropout_->forward(torch::softmax(scores, -1));
  const auto mixed = torch::matmul(weights, value).transpose(1, 2).reshape({batch, length, dim});
  return output_->forward(mixed);
}

std::string SelfAttentionImpl::script_forward() const {
  const std::string heads = std::to_string(heads_), head_dim = std::to_string(dim_ / heads_);
  std::string source =
      "def forward(self, input: Tensor) -> Tensor:\n"
      "    batch, length, dim = input.size(0), input.size(1), input.size(2)\n";
  for (const char* name : {"query", "key", "value"}) {
    source += std::string("    ") + name + " = self." + name + ".forward(input).view(batch, length, " +
              heads + ", " + head_dim + ").transpose(1, 2)\n";
  }
  return source + "    scores = torch.matmul(query, key.transpose(-2, -1)) / " +
         script_number(std::sqrt(double(dim_ / heads_))) +
         "\n"
         "    future = torch.ones([length, length], device=input.device).triu(1) > 0\n"
         "    scores = scores.masked_fill(future, float(\"-inf\"))\n"
         "    mixed = torch.matmul(torch.softmax(scores, -1), value).transpose(1, 2)\n"
         "    return self.output.forward(mixed.reshape(batch, length, dim))\n";
}

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t hidden, double dropout)
    : expand_(register_module("expand", QLinear(dim, hidden))),
      project_(register_module("project", QLinear(hidden, dim))),
      dropout_(register_module("dropout", torch::nn::Dropout(dropout))) {}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& input) {
  return project_->forward(dropout_->forward(torch::gelu(expand_->forward(input))));
}

std::string FeedForwardImpl::script_forward() const {
  return "def forward(self, input: Tensor) -> Tensor:\n"
         "    return self.project.forward(torch.gelu(self.expand.forward(input)))\n";
}

TransformerLayerImpl::TransformerLayerImpl(const TransformerLMOptions& options)
    : attention_norm_(register_module(
          "attention_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.dim})))),
      ffn_norm_(register_module("ffn_norm",
                                torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.dim})))),
      attention_(
          register_module("attention", SelfAttention(options.dim, options.heads, options.dropout))),
      ffn_(register_module("ffn", FeedForward(options.dim, options.ffn, options.dropout))),
      dropout_(register_module("dropout", torch::nn::Dropout(options.dropout))) {}

torch::Tensor TransformerLayerImpl::forward(const torch::Tensor& input) {
  const auto x = input + dropout_->forward(attention_->forward(attention_norm_->forward(input)));
  return x + dropout_->forward(ffn_->forward(ffn_norm_->forward(x)));
}

std::string TransformerLayerImpl::script_forward() const {
  return "def forward(self, input: Tensor) -> Tensor:\n"
         "    x = input + self.attention.forward(self.attention_norm.forward(input))\n"
         "    return x + self.ffn.forward(self.ffn_norm.forward(x))\n";
}

TransformerLMImpl::TransformerLMImpl(const TransformerLMOptions& options)
    : options_(options),
      embedding_(register_module("embedding", QEmbedding(options.vocabulary, options.dim))),
      position_(register_parameter("position", 0.02 * torch::randn({options.context, options.dim}))),
      layers_(register_module("layers", torch::nn::ModuleList())),
      final_norm_(register_module(
          "final_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({options.dim})))),
      dropout_(register_module("dropout", torch::nn::Dropout(options.dropout))) {
  for (int64_t i = 0; i < options.layers; ++i) layers_->push_back(TransformerLayer(options));
  if (!options.tied_embeddings) {
    output_ = register_module("output", QLinear(options.dim, options.vocabulary, false));
  }
}

torch::Tensor TransformerLMImpl::forward(const torch::Tensor& tokens) {
  const int64_t length = tokens.size(1);
  if (length > options_.context) {
    throw InputError("a sequence of " + std::to_string(length) +
                     " tokens is longer than the model's context of " +
                     std::to_string(options_.context));
  }
  // Tied: one table looks tokens up and projects back (one noise draw for both uses), or,
  // served from its codes, one set of lookup tables.
  const auto* codes = embedding_->lookup();
  const auto table = codes ? torch::Tensor() : embedding_->current_weight();
  const auto embedded = codes ? codes->rows(tokens) : torch::embedding(table, tokens);
  auto x = dropout_->forward(embedded + position_.narrow(0, 0, length));
  for (const auto& layer : *layers_) {
    const bool dropped =
        is_training() && options_.layerdrop > 0 && torch::rand({}).item<double>() < options_.layerdrop;
    if (!dropped) x = layer->as<TransformerLayer>()->forward(x);
  }
  x = final_norm_->forward(x);
  if (output_) return output_->forward(x);
  return codes ? codes->linear(x) : torch::linear(x, table);
}

std::string TransformerLMImpl::script_forward() const {
  const auto context = std::to_string(options_.context);
  std::string source =
      "def forward(self, tokens: Tensor) -> Tensor:\n"
      "    length = tokens.size(1)\n"
      "    assert length <= " + context + ", \"a sequence longer than the model's context of " +
      context + " tokens\"\n"
      "    table = self.embedding.weight\n"
      "    x = torch.embedding(table, tokens) + self.position.narrow(0, 0, length)\n";
  for (int64_t i = 0; i < layer_count(); ++i) {
    source += "    x = " + script_list_child("layers", i) + ".forward(x)\n";
  }
  source += "    x = self.final_norm.forward(x)\n";
  return source + (output_ ? "    return self.output.forward(x)\n"
                           : "    return torch.linear(x, table)\n");
}

void TransformerLMImpl::keep_layers(const std::vector<int64_t>& kept) {
  for (size_t i = 0; i < kept.size(); ++i) {
    if (kept[i] < 0 || kept[i] >= layer_count() || (i > 0 && kept[i] <= kept[i - 1])) {
      throw InputError("model.keep_layers must list increasing layer indices below " +
                       std::to_string(layer_count()));
    }
  }
  torch::nn::ModuleList pruned;
  for (const int64_t index : kept) pruned->push_back(layers_[index]);
  layers_ = replace_module("layers", pruned);
}

}  // namespace qn
