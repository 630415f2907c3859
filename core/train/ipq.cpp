#include "train/ipq.h"

#include <regex>

#include "common/error.h"
#include "quant/pq_quantizer.h"
#include "train/model_compression.h"

namespace qn {
namespace {

std::string parent_of(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}

std::vector<std::vector<NamedLayer>> stages_by_depth(const std::vector<NamedLayer>& layers) {
  std::vector<std::vector<NamedLayer>> stages;
  std::string current_parent;
  for (const auto& layer : layers) {
    if (stages.empty() || parent_of(layer.name) != current_parent) stages.emplace_back();
    current_parent = parent_of(layer.name);
    stages.back().push_back(layer);
  }
  return stages;
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
  return ipq_stages(compressed_layers(model, quant),
                    quant.stages.empty() ? default_stages : quant.stages);
}

void run_ipq(torch::nn::Module& model, const Forward& forward, const Examples& train,
             const RunConfig& config, const std::vector<std::string>& default_stages,
             TrainingObserver* observer, const CancelToken* cancel, const LossFunction& loss) {
  TrainConfig finetune = config.train;
  finetune.max_steps = config.quant.finetune_steps;
  finetune.lr = config.train.lr / 10;
  finetune.warmup_steps = 0;
  finetune.schedule = "cosine";

  const auto stages = configured_ipq_stages(model, config.quant, default_stages);
  for (size_t index = 0; index < stages.size(); ++index) {
    std::string names;
    for (const auto& [name, layer] : stages[index]) {
      const auto shape = layer->weight().sizes().vec();
      const BlockLayout layout({name, layer->layer_kind()}, shape,
                               config.quant.block_size.for_weight(layer->layer_kind(), shape));
      PqOptions options;
      options.centroids = centroids_for_layer(config.quant.centroids, layout.block_count());
      options.seed = config.train.seed;
      options.block_sizes = config.quant.block_size;
      options.cancel = cancel;
      const auto encoded =
          PqQuantizer(options).encode(layer->weight(), {name, layer->layer_kind()});
      layer->use_codebook(encoded.layout(), encoded.codebook().centroids(), encoded.codes(),
                          config.quant.average_centroid_grads);
      names += (names.empty() ? "" : ", ") + name;
    }
    if (observer) {
      observer->on_stage("ipq stage " + std::to_string(index + 1) + "/" +
                         std::to_string(stages.size()) + ": " + names);
    }
    if (finetune.max_steps > 0) {
      train_model(model, forward, train, finetune, observer, cancel, loss);
    }
  }
}

}  // namespace qn
