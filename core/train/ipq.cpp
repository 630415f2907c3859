#include "train/ipq.h"

#include "quant/pq_quantizer.h"
#include "train/model_compression.h"

namespace qn {
namespace {

std::string parent_of(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos ? "" : name.substr(0, dot);
}

}  // namespace

std::vector<std::vector<NamedLayer>> ipq_stages(torch::nn::Module& model) {
  std::vector<std::vector<NamedLayer>> stages;
  std::string current_parent;
  for (const auto& layer : quantizable_layers(model)) {
    if (stages.empty() || parent_of(layer.name) != current_parent) stages.emplace_back();
    current_parent = parent_of(layer.name);
    stages.back().push_back(layer);
  }
  return stages;
}

void run_ipq(torch::nn::Module& model, const Forward& forward, const LabelledImages& train,
             const RunConfig& config, TrainingObserver* observer, const CancelToken* cancel) {
  TrainConfig finetune = config.train;
  finetune.max_steps = config.quant.finetune_steps;
  finetune.lr = config.train.lr / 10;
  finetune.warmup_steps = 0;
  finetune.schedule = "cosine";

  const auto stages = ipq_stages(model);
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
      const auto encoded =
          PqQuantizer(options).encode(layer->weight(), {name, layer->layer_kind()});
      layer->use_codebook(encoded.layout(), encoded.codebook().centroids(), encoded.codes());
      names += (names.empty() ? "" : ", ") + name;
    }
    if (observer) {
      observer->on_stage("ipq stage " + std::to_string(index + 1) + "/" +
                         std::to_string(stages.size()) + ": " + names);
    }
    if (finetune.max_steps > 0) train_classifier(model, forward, train, finetune, observer, cancel);
  }
}

}  // namespace qn
