#include "train/ipq.h"

#include <regex>

#include "common/error.h"
#include "config/layer_quant.h"
#include "quant/pq_quantizer.h"
#include "train/input_moments.h"
#include "train/model_compression.h"

namespace qn {
namespace {

std::string parent_of(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}

// Past this many stages by parent module (EfficientNet-B3 has 105) the stages are merged,
// in order, into kMergedStages of about equal weights; models with fewer (the ConvNet's 5,
// a ResNet's) keep one stage a parent.
constexpr size_t kMostStagesByParent = 16;
constexpr size_t kMergedStages = 8;

int64_t weights_of(const std::vector<NamedLayer>& stage) {
  int64_t weights = 0;
  for (const auto& layer : stage) weights += layer.layer->weight().numel();
  return weights;
}

std::vector<std::vector<NamedLayer>> merged(const std::vector<std::vector<NamedLayer>>& stages) {
  int64_t total = 0;
  for (const auto& stage : stages) total += weights_of(stage);
  std::vector<std::vector<NamedLayer>> groups(1);
  int64_t done = 0;
  for (const auto& stage : stages) {
    // A new group once the ones before hold their share of the weights.
    const auto share = static_cast<int64_t>(groups.size()) * total / static_cast<int64_t>(kMergedStages);
    if (!groups.back().empty() && done >= share && groups.size() < kMergedStages) groups.emplace_back();
    groups.back().insert(groups.back().end(), stage.begin(), stage.end());
    done += weights_of(stage);
  }
  return groups;
}

std::vector<std::vector<NamedLayer>> stages_by_depth(const std::vector<NamedLayer>& layers) {
  std::vector<std::vector<NamedLayer>> stages;
  std::string current_parent;
  for (const auto& layer : layers) {
    if (stages.empty() || parent_of(layer.name) != current_parent) stages.emplace_back();
    current_parent = parent_of(layer.name);
    stages.back().push_back(layer);
  }
  return stages.size() > kMostStagesByParent ? merged(stages) : stages;
}

std::vector<std::vector<NamedLayer>> stages_by_pattern(const std::vector<NamedLayer>& layers,
                                                       const std::vector<std::string>& patterns) {
  std::vector<std::vector<NamedLayer>> stages(patterns.size() + 1);
  std::vector<std::regex> expressions(patterns.begin(), patterns.end());
  for (const auto& layer : layers) {
    size_t stage = 0;
    while (stage < expressions.size() && !std::regex_search(layer.name, expressions[stage])) {
      ++stage;
    }
    stages[stage].push_back(layer);
  }
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (stages[i].empty()) {
      throw InputError("iPQ stage pattern '" + patterns[i] +
                       "' (quant.stages) matches no layer not already in an earlier stage");
    }
  }
  if (stages.back().empty()) stages.pop_back();
  return stages;
}

}  // namespace

std::vector<std::vector<NamedLayer>> ipq_stages(const std::vector<NamedLayer>& layers,
                                                const std::vector<std::string>& patterns) {
  return patterns.empty() ? stages_by_depth(layers) : stages_by_pattern(layers, patterns);
}

std::vector<std::vector<NamedLayer>> ipq_stages(torch::nn::Module& model,
                                                const std::vector<std::string>& patterns) {
  return ipq_stages(quantizable_layers(model), patterns);
}

std::vector<std::vector<NamedLayer>> configured_ipq_stages(
    torch::nn::Module& model, const QuantConfig& quant,
    const std::vector<std::string>& default_stages) {
  std::vector<NamedLayer> staged;  // the layers product-quantized (not those set to int)
  for (const auto& layer : compressed_layers(model, quant)) {
    if (uses_codebooks(quant_for_layer(quant, layer.name).method)) staged.push_back(layer);
  }
  return ipq_stages(staged, quant.stages.empty() ? default_stages : quant.stages);
}

std::vector<StageResult> run_ipq(torch::nn::Module& model, const Forward& forward,
                                 const Examples& train, const RunConfig& config,
                                 const std::vector<std::string>& default_stages,
                                 TrainingObserver* observer, const CancelToken* cancel,
                                 const LossFunction& loss, const StageMetric& measure) {
  TrainConfig finetune = config.train;
  finetune.max_steps = config.quant.finetune_steps;
  finetune.lr = config.train.lr / 10;
  finetune.warmup_steps = 0;
  finetune.schedule = "cosine";

  const auto stages = configured_ipq_stages(model, config.quant, default_stages);
  std::vector<StageResult> results;
  for (size_t index = 0; index < stages.size(); ++index) {
    StageResult result;
    // Activation-aware PQ: the inputs' statistics of the model as it is now, earlier
    // stages on their fine-tuned codebooks.
    const auto moments = gather_input_moments(
        model, forward, train, activation_aware_layers(stages[index], config.quant), config,
        cancel);
    result.calibration_seconds = moments.seconds;
    for (const auto& named : stages[index]) {
      const auto& [name, layer] = named;
      const auto settings = quant_for_layer(config.quant, name);
      const auto shape = layer->weight().sizes().vec();
      const BlockLayout layout({name, layer->layer_kind()}, shape,
                               settings.block_size.for_weight(layer->layer_kind(), shape));
      PqOptions options;
      options.centroids = centroids_for_layer(settings.centroids, layout.block_count());
      options.seed = config.train.seed;
      options.block_sizes = settings.block_size;
      options.cancel = cancel;
      options.importance = layer_importance(moments, named);
      const auto encoded =
          PqQuantizer(options).encode(layer->weight(), {name, layer->layer_kind()});
      layer->use_codebook(encoded.layout(), encoded.codebook().centroids(), encoded.codes(),
                          config.quant.average_centroid_grads);
      result.layers.push_back(name);
    }
    if (observer) {
      std::string names;
      for (const auto& name : result.layers) names += (names.empty() ? "" : ", ") + name;
      observer->on_stage("ipq stage " + std::to_string(index + 1) + "/" +
                         std::to_string(stages.size()) + ": " + names);
    }
    if (measure) result.metric_after_quantization = measure(index + 1, false);
    if (finetune.max_steps > 0) {
      train_model(model, forward, train, finetune, observer, cancel, loss);
      if (measure) result.metric_after_finetune = measure(index + 1, true);
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace qn
