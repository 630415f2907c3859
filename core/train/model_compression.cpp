#include "train/model_compression.h"

#include <algorithm>
#include <regex>
#include <set>

#include "config/layer_quant.h"
#include "nn/quantizable_layer.h"
#include "nn/scripted_model.h"
#include "quant/int_quantizer.h"
#include "quant/pq_quantizer.h"

namespace qn {
namespace {

// A layer after iPQ: its codes and its codebook rounded to the storage format, which the
// layer's forward then uses too.
std::shared_ptr<PqTensor> store_codebook_layer(QuantizableLayer& layer, const QuantConfig& quant) {
  auto codebook = Codebook::store(layer.centroids(), parse_codebook_bits(quant.centroid_bits));
  layer.centroids().detach().copy_(codebook.centroids());
  return std::make_shared<PqTensor>(layer.codebook_layout(), std::move(codebook), layer.codes());
}

}  // namespace

std::vector<NamedLayer> compressed_layers(torch::nn::Module& model, const QuantConfig& quant) {
  const std::vector<std::regex> excluded(quant.exclude.begin(), quant.exclude.end());
  std::vector<NamedLayer> layers;
  for (const auto& layer : quantizable_layers(model)) {
    const auto override = matching_layer_override(quant, layer.name);
    const bool overridden_to_none =
        override && quant.layers[*override].method == QuantMethod::None;
    const bool keep = !overridden_to_none &&
                      std::none_of(excluded.begin(), excluded.end(), [&](const std::regex& pattern) {
                        return std::regex_search(layer.name, pattern);
                      });
    if (keep) layers.push_back(layer);
  }
  return layers;
}

std::unique_ptr<Quantizer> make_quantizer(const QuantConfig& quant, int64_t centroids,
                                          uint64_t seed, const CancelToken* cancel,
                                          const torch::Tensor& importance) {
  if (quant.method == QuantMethod::None) return std::make_unique<PlainQuantizer>(plain_width(quant));
  if (quant.method == QuantMethod::Int) {
    return std::make_unique<IntQuantizer>(
        IntOptions{quant.bits, parse_range_observer(quant.observer)});
  }
  PqOptions options;  // PQ, and iPQ's one-shot form
  options.centroids = centroids;
  options.seed = seed;
  options.block_sizes = quant.block_size;
  options.codebook_format = parse_codebook_bits(quant.centroid_bits);
  options.cancel = cancel;
  options.importance = importance;
  return std::make_unique<PqQuantizer>(options);
}

int64_t centroids_for_layer(int64_t configured, int64_t block_count) {
  return std::max<int64_t>(1, std::min(configured, block_count / 4));
}

PlainWidth plain_width(const QuantConfig& quant) {
  return quant.plain_bits == 16 ? PlainWidth::Fp16 : PlainWidth::Fp32;
}

bool is_training_only_buffer(const std::string& name) {
  return name.find("num_batches_tracked") != std::string::npos;
}

CompressedModel compress_weights(torch::nn::Module& model, const QuantConfig& quant, uint64_t seed,
                                 const CancelToken* cancel, const InputMoments& moments) {
  torch::NoGradGuard no_grad;
  CompressedModel compressed;
  for (const auto& named : compressed_layers(model, quant)) {
    const auto& [name, layer] = named;
    throw_if_cancelled(cancel);
    auto& weight = layer->weight();
    const auto settings = quant_for_layer(quant, name);
    std::shared_ptr<const CompressedTensor> result;
    if (layer->uses_codebook()) {
      result = store_codebook_layer(*layer, settings);
    } else {
      const auto shape = weight.sizes().vec();
      const int64_t block = settings.block_size.for_weight(layer->layer_kind(), shape);
      const int64_t block_count = weight.numel() / std::max<int64_t>(block, 1);
      result = make_quantizer(settings, centroids_for_layer(settings.centroids, block_count), seed,
                              cancel, layer_importance(moments, named))
                   ->compress(weight, {name, layer->layer_kind()});
    }
    weight.copy_(result->decode());
    layer->set_noise(nullptr);
    compressed.add(weight_tensor_name(name), std::move(result));
  }
  return compressed;
}

void add_plain_tensors(torch::nn::Module& model, const QuantConfig& quant,
                       CompressedModel& compressed) {
  torch::NoGradGuard no_grad;
  std::set<std::string> done;  // compressed weights, and iPQ codebooks (inside them)
  for (const auto& [name, layer] : compressed_layers(model, quant)) {
    done.insert(weight_tensor_name(name));
    if (layer->uses_codebook()) done.insert(centroids_tensor_name(name));
  }
  const auto store = [&](const std::string& name, const torch::Tensor& value) {
    auto plain = std::make_shared<PlainTensor>(value, plain_width(quant));
    value.detach().copy_(plain->decode());
    compressed.add(name, std::move(plain));
  };
  for (const auto& item : model.named_parameters()) {
    if (!done.count(item.key())) store(item.key(), item.value());
  }
  for (const auto& item : model.named_buffers()) {
    if (!is_training_only_buffer(item.key())) store(item.key(), item.value());
  }
  for (auto& [name, aliases] : tied_tensor_names(model)) compressed.add_aliases(name, std::move(aliases));
}

}  // namespace qn
