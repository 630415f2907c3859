#include "train/size_preview.h"

#include <algorithm>

#include "common/error.h"
#include "config/layer_quant.h"
#include "data/image_folder.h"
#include "nn/quantizable_layer.h"
#include "quant/int_quantizer.h"
#include "quant/pq_quantizer.h"
#include "train/ipq.h"
#include "train/model_compression.h"
#include "train/task_model.h"

namespace qn {
namespace {

// The smallest vocabulary a corpus gives: <unk>, <eos> and one word.
constexpr int64_t kSmallestVocabulary = 3;

// The image shape without reading the data. image-folder's channels are only known from
// its pixels (1 when every image is gray): the preview assumes RGB, which only adds the
// stem's 2 x 9 x model.width weights for a gray folder.
std::vector<int64_t> nominal_image_shape(const RunConfig& config) {
  if (config.task == "cifar10") return {3, 32, 32};
  if (config.task == "image-folder") return {3, config.data.image_size, config.data.image_size};
  // Per-channel normalisation reads grey images as RGB (core/data/task_data.cpp).
  return {config.data.normalize == "dataset" ? 1 : 3, 28, 28};
}

// image-folder's classes, counted from its folder names (no image is read), so that the
// preview and a torchscript model's check see them; 10, as the built-in image tasks, while
// the folder is not there yet (the GUI checks as the user types).
int64_t nominal_folder_classes(const RunConfig& config) {
  const int64_t counted = config.data.dir.empty() ? 0 : count_image_folder_classes(config.data.dir);
  return counted >= 2 ? counted : 10;
}

// A PQ weight's exact storage without k-means: the size depends on the layout and K only.
std::shared_ptr<const CompressedTensor> pq_placeholder(const torch::Tensor& weight,
                                                       const LayerInfo& layer,
                                                       const QuantConfig& quant) {
  const auto shape = weight.sizes().vec();
  BlockLayout layout(layer, shape, quant.block_size.for_weight(layer.kind, shape));
  const int64_t centroids = centroids_for_layer(quant.centroids, layout.block_count());
  auto codebook = Codebook::store(torch::zeros({centroids, layout.block_size()}),
                                  parse_codebook_bits(quant.centroid_bits));
  auto codes = torch::zeros({layout.block_count()}, torch::kLong);
  return std::make_shared<PqTensor>(std::move(layout), std::move(codebook), std::move(codes));
}

std::string describe_storage(const QuantConfig& settings, bool compressed, const LayerInfo& layer,
                             const std::vector<int64_t>& shape) {
  const auto plain = settings.plain_bits == 16 ? "fp16" : "fp32";
  if (!compressed || settings.method == QuantMethod::None) return plain;
  if (settings.method == QuantMethod::Int) {
    return "int" + std::to_string(settings.bits) + " (" + settings.observer + ")";
  }
  const auto block = settings.block_size.for_weight(layer.kind, shape);
  const BlockLayout layout(layer, shape, block);
  const auto fallback = settings.block_size.fallback_reason(layer.kind, shape);
  return to_string(settings.method) + " K=" +
         std::to_string(centroids_for_layer(settings.centroids, layout.block_count())) +
         " b=" + std::to_string(block) + (fallback.empty() ? "" : " (" + fallback + ")");
}

// Each quant.layers pattern must set some layer: a misspelt one would silently change nothing.
void require_every_override_used(const QuantConfig& quant, const std::vector<NamedLayer>& layers) {
  for (size_t i = 0; i < quant.layers.size(); ++i) {
    const bool used = std::any_of(layers.begin(), layers.end(), [&](const NamedLayer& layer) {
      return matching_layer_override(quant, layer.name) == i;
    });
    if (!used) {
      throw InputError("config key 'quant.layers[" + std::to_string(i) + "].pattern' is '" +
                       quant.layers[i].pattern +
                       "', which matches no layer not already matched by an earlier entry");
    }
  }
}

}  // namespace

TaskData nominal_task(const RunConfig& config) {
  TaskData data;
  data.image_shape = nominal_image_shape(config);
  data.classes = config.task == "image-folder" ? nominal_folder_classes(config) : 10;
  if (config.model.arch == "transformer-lm") {
    data.classes =
        config.data.vocabulary_cap > 0 ? config.data.vocabulary_cap : kSmallestVocabulary;
  } else if (is_language_model_task(config.task)) {
    data.classes = 0;  // a user's language model: its own vocabulary, checked once data loads
  } else if (config.task == "text-classification") {
    data.classes = static_cast<int64_t>(config.data.labels.size());  // 0: read from the data
  }
  return data;
}

SizePreview preview_size(const RunConfig& config) {
  auto model = make_task_model(config, nominal_task(config), torch::kCPU);
  return preview_size(config, model);
}

SizePreview preview_size(const RunConfig& config, TaskModel& model) {
  torch::NoGradGuard no_grad;
  model.prune();
  const auto& quant = config.quant;
  const auto kept = compressed_layers(*model.module, quant);
  CompressedModel compressed;
  require_every_override_used(quant, quantizable_layers(*model.module));
  std::string problems;  // every layer that cannot be stored as asked, reported at once
  int problem_count = 0;
  for (const auto& [name, layer] : kept) {
    const LayerInfo info{name, layer->layer_kind()};
    const auto& weight = layer->weight();
    const auto settings = quant_for_layer(quant, name);
    try {
      std::shared_ptr<const CompressedTensor> tensor;
      if (uses_codebooks(settings.method)) {
        tensor = pq_placeholder(weight, info, settings);
      } else {
        tensor = make_quantizer(settings, settings.centroids, 0)->compress(weight, info);
      }
      compressed.add(weight_tensor_name(name), std::move(tensor));
    } catch (const InputError& problem) {
      problems += std::string(problems.empty() ? "" : "; ") + problem.what();
      ++problem_count;
    }
  }
  if (problem_count == 1) throw InputError(problems);
  if (problem_count > 1) throw InputError(std::to_string(problem_count) + " layers cannot be stored as asked: " + problems);
  add_plain_tensors(*model.module, quant, compressed);
  if (quant.method == QuantMethod::IPQ) {  // for its check: a pattern matching no layer throws
    configured_ipq_stages(*model.module, quant, model.default_ipq_stages);
  }
  std::vector<LayerPreview> layers;
  for (const auto& [name, layer] : quantizable_layers(*model.module)) {
    const bool compressed_layer = std::any_of(
        kept.begin(), kept.end(), [&](const NamedLayer& other) { return other.name == name; });
    const LayerInfo info{name, layer->layer_kind()};
    layers.push_back({info, compressed_layer,
                      describe_storage(quant_for_layer(quant, name), compressed_layer, info,
                                       layer->weight().sizes().vec()),
                      matching_layer_override(quant, name)});
  }
  // The stretch keeps a grey folder's one channel, known only from its pixels; streamed
  // images are always RGB.
  const bool channels_known = config.task != "image-folder" || config.data.transform == "torchvision";
  return {compressed.size(), std::move(layers), config.model.arch != "transformer-lm" && channels_known};
}

}  // namespace qn
