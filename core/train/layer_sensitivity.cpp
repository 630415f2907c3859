#include "train/layer_sensitivity.h"

#include <chrono>
#include <regex>
#include <set>

#include "common/error.h"
#include "common/runtime.h"
#include "config/layer_quant.h"
#include "config/config_fingerprints.h"
#include "nn/batchnorm_statistics.h"
#include "nn/quantizable_layer.h"
#include "store/run_store.h"
#include "train/compressed_model_loader.h"
#include "train/evaluation.h"
#include "train/input_moments.h"
#include "train/model_compression.h"
#include "train/noise_attachment.h"
#include "train/quantized_probe.h"
#include "train/run_check.h"
#include "train/size_preview.h"
#include "train/trained_run.h"

namespace qn {
namespace {

QuantMethod section_method(QuantMethod configured) {
  if (configured == QuantMethod::None) return QuantMethod::Int;
  if (configured == QuantMethod::IPQ) return QuantMethod::PQ;
  return configured;
}

// A fresh model holding the trained weights, set up as run_training sets up its trained
// model after training: the post-training random stream, `variant`'s noise attached afresh,
// pruned. Built before the reseed, as building draws initial weights from the stream.
TaskModel trained_copy(const RunConfig& config, const RunConfig& variant, TrainedRun& run) {
  auto copy = make_task_model(variant, run.data, run.device);
  // The trained model's tensors include what its training noise registered: the copy gets
  // the same before the state is copied.
  attach_noise(*copy.module, config.quant, config.noise, config.train.seed);
  copy_model_state(*run.model.module, *copy.module);
  torch::manual_seed(post_training_seed(variant.train.seed));
  attach_noise(*copy.module, variant.quant, variant.noise, variant.train.seed);
  copy.prune();
  return copy;
}

struct Measurement {
  double metric = 0;
  SizeReport size;
};

// What run_training does after evaluating the float model, for `variant` (a config of
// one-shot methods), on a copy of the trained model.
Measurement measure(const RunConfig& config, const RunConfig& variant, TrainedRun& run,
                    const CancelToken* cancel) {
  auto copy = trained_copy(config, variant, run);
  auto& module = *copy.module;
  const auto weighed =
      activation_aware_layers(compressed_layers(module, variant.quant), variant.quant);
  const auto moments =
      gather_input_moments(module, copy.forward, run.data.train, weighed, variant, cancel);
  auto compressed = compress_weights(module, variant.quant, variant.train.seed, cancel, moments);
  if (variant.quant.method != QuantMethod::None && has_batchnorm(module)) {
    recalibrate_batchnorm(module, copy.forward, run.data.train, variant.train.batch_size,
                          variant.quant.batchnorm_batches, variant.train.seed, cancel);
  }
  add_plain_tensors(module, variant.quant, compressed);
  const auto metric = evaluate_compressed_model(variant, run.data, compressed, run.device, cancel)
                          .metric(run.data.metric_name);
  return {metric, compressed.size()};
}

// One measurement to make: a layer, a candidate, the config that quantizes it alone, and
// what the size preview says it stores.
struct PlannedRow {
  std::string layer;
  LayerCandidate candidate;
  RunConfig variant;
  std::string storage;
  int64_t weight_bytes = 0;
  int64_t uncompressed_bytes = 0;
};

std::vector<PlannedRow> plan_rows(const RunConfig& config, const std::vector<std::string>& layers,
                                  const std::vector<LayerCandidate>& candidates,
                                  const SizePreview& baseline) {
  const bool others = preview_size(config).layers.size() > 1;  // a "." entry must match some layer
  std::vector<PlannedRow> rows;
  for (const auto& layer : layers) {
    std::set<std::string> storages;
    for (const auto& candidate : candidates) {
      auto variant = config_with_layer_choices(config, {{layer, candidate}}, others);
      SizePreview preview;
      try {
        preview = preview_size(variant);
      } catch (const InputError&) {
        continue;  // the candidate cannot store this layer (its block size does not divide it)
      }
      auto storage = layer_storage(preview, layer);
      if (!storages.insert(storage).second) continue;  // as an earlier candidate stores it
      rows.push_back({layer, candidate, std::move(variant), std::move(storage),
                      layer_weight_bytes(preview.size, layer), layer_weight_bytes(baseline.size, layer)});
    }
  }
  return rows;
}

}  // namespace

int64_t layer_weight_bytes(const SizeReport& size, const std::string& layer) {
  const auto name = weight_tensor_name(layer);
  for (const auto& entry : size.entries()) {
    if (entry.name == name) return entry.bytes.total();
  }
  TORCH_CHECK(false, "no size entry for ", name);
}

std::string layer_storage(const SizePreview& preview, const std::string& layer) {
  for (const auto& entry : preview.layers) {
    if (entry.layer.name == layer) return entry.storage;
  }
  TORCH_CHECK(false, "no preview of layer ", layer);
}


std::vector<std::string> default_candidate_names() {
  return {"int8", "int4", "pq256", "pq64", "pq16"};
}

LayerCandidate parse_layer_candidate(const std::string& name) {
  static const std::regex form(R"((int)([2-8])|(pq)([1-9][0-9]{0,6}))");
  std::smatch match;
  if (!std::regex_match(name, match, form)) {
    throw InputError("unknown candidate '" + name +
                     "': use intN (N = 2 to 8) or pqK (K centroids, 2 or more), e.g. int4, pq64");
  }
  LayerCandidate candidate;
  candidate.name = name;
  if (match[1].matched) {
    candidate.method = QuantMethod::Int;
    candidate.bits = std::stoi(match[2].str());
  } else {
    candidate.method = QuantMethod::PQ;
    candidate.centroids = std::stoll(match[4].str());
    if (candidate.centroids < 2 || candidate.centroids > 65536) {
      throw InputError("candidate '" + name + "' must have 2 to 65536 centroids");
    }
  }
  return candidate;
}

RunConfig config_with_layer_choices(const RunConfig& config,
                                    const std::vector<std::pair<std::string, LayerChoice>>& choices,
                                    bool others_uncompressed) {
  auto mixed = config;
  mixed.quant.method = section_method(config.quant.method);
  mixed.quant.layers.clear();
  for (const auto& [layer, choice] : choices) {
    LayerQuantOverride entry;
    entry.pattern = exact_layer_pattern(layer);
    if (!choice) {
      entry.method = QuantMethod::None;
    } else if (choice->method == QuantMethod::Int) {
      entry.method = QuantMethod::Int;
      entry.bits = choice->bits;
    } else {
      entry.method = QuantMethod::PQ;
      entry.centroids = choice->centroids;
    }
    mixed.quant.layers.push_back(std::move(entry));
  }
  if (others_uncompressed) {
    LayerQuantOverride rest;
    rest.pattern = ".";
    rest.method = QuantMethod::None;
    mixed.quant.layers.push_back(std::move(rest));
  }
  return mixed;
}

std::vector<std::string> sensitivity_layers(const RunConfig& config) {
  std::vector<std::string> layers;
  for (const auto& layer : preview_size(config_with_layer_choices(config, {}, false)).layers) {
    if (layer.compressed) layers.push_back(layer.layer.name);
  }
  return layers;
}

double metric_drop(const std::string& metric_name, double baseline, double metric) {
  return metric_name == "perplexity" ? metric - baseline : baseline - metric;
}

SensitivityTable measure_layer_sensitivity(const RunConfig& config,
                                           const std::vector<std::string>& candidate_names,
                                           TrainingObserver* observer, const CancelToken* cancel,
                                           TrainedModelCache* trained_models) {
  if (candidate_names.empty()) throw InputError("no candidate to measure");
  std::vector<LayerCandidate> candidates;
  for (const auto& name : candidate_names) {
    for (const auto& earlier : candidates) {
      if (earlier.name == name) throw InputError("candidate '" + name + "' is given twice");
    }
    candidates.push_back(parse_layer_candidate(name));
  }
  check_before_training(config);
  const auto layers = sensitivity_layers(config);
  if (layers.empty()) throw InputError("quant.exclude leaves no layer to compress");
  const auto baseline_config = config_with_layer_choices(config, {}, true);
  const auto rows = plan_rows(config, layers, candidates, preview_size(baseline_config));

  auto run = train_run_model(config, observer, cancel, trained_models);
  const auto started = std::chrono::steady_clock::now();
  SensitivityTable table;
  table.config = to_json(config);
  table.config_hash = config_hash(table.config);
  table.training_key = training_key(table.config);
  table.candidates = candidate_names;
  table.device = describe_device(run.device);
  table.metric_name = run.data.metric_name;
  table.evaluation_split = run.data.evaluation_split;
  {
    auto copy = trained_copy(config, config, run);
    table.float_metric = evaluate(*copy.module, copy.forward, run.data.evaluation, cancel)
                             .metric(table.metric_name);
  }
  if (observer) observer->on_stage("sensitivity: baseline (no layer quantized)");
  table.baseline_metric = measure(config, baseline_config, run, cancel).metric;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    throw_if_cancelled(cancel);
    if (observer) {
      observer->on_stage("sensitivity " + std::to_string(i + 1) + "/" +
                         std::to_string(rows.size()) + ": " + row.layer + " " +
                         row.candidate.name);
    }
    const auto measured = measure(config, row.variant, run, cancel);
    TORCH_CHECK(layer_weight_bytes(measured.size, row.layer) == row.weight_bytes,
                "the size preview of ", row.layer, " differs from its compressed size");
    table.rows.push_back({row.layer, row.candidate.name, row.storage, row.weight_bytes,
                          row.uncompressed_bytes - row.weight_bytes, measured.metric,
                          metric_drop(table.metric_name, table.baseline_metric, measured.metric)});
  }
  table.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return table;
}

std::optional<TrainedModel> RememberedTrainedModels::find(const std::string& key,
                                                          const std::string& device) {
  const auto kept = models_.find({key, device});
  if (kept != models_.end()) return kept->second;
  return next_ ? next_->find(key, device) : std::nullopt;
}

void RememberedTrainedModels::keep(const std::string& key, const std::string& device,
                                   const TrainedModel& model) {
  models_[{key, device}] = model;
  if (next_ && next_->wants(key)) next_->keep(key, device, model);
}

}  // namespace qn
