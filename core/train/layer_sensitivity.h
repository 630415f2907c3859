#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/cancellation.h"
#include "config/run_config.h"
#include "store/sensitivity_store.h"
#include "store/trained_model_cache.h"
#include "train/training_events.h"

namespace qn {

class SizeReport;
struct SizePreview;

// A layer's weight in a size report (its ".weight" entry's bytes) and how a preview stores
// it ("int4 (minmax)", "pq K=64 b=8"); both throw if the layer is not there.
int64_t layer_weight_bytes(const SizeReport& size, const std::string& layer);
std::string layer_storage(const SizePreview& preview, const std::string& layer);

// One way to store a single layer's weight, as `qnoise sensitivity --candidates` names it:
// "intN" (N = 2..8, the section's observer) or "pqK" (one-shot PQ with K centroids at the
// section's block size; K lowered per layer as every run lowers it, centroids_for_layer).
struct LayerCandidate {
  std::string name;
  QuantMethod method = QuantMethod::Int;
  int bits = 8;
  int64_t centroids = 256;
};

// The default candidates: int8, int4, and PQ with K = 256, 64, 16.
std::vector<std::string> default_candidate_names();
// Parses a candidate name; anything else is an InputError naming it and the forms allowed.
LayerCandidate parse_layer_candidate(const std::string& name);

// A layer's setting in a mixed config: a candidate, or nothing (stored uncompressed).
using LayerChoice = std::optional<LayerCandidate>;

// `config` with its quant.layers replaced by one exact entry a layer ("^name$", the name's
// regular-expression characters escaped) for every layer of `choices`, and, with
// `others_uncompressed`, a last entry "." that leaves every other layer uncompressed. The
// section's method is the one the run takes for BatchNorm and noise: the config's, with
// none read as int (so that BatchNorm is re-estimated as for any quantized model) and ipq
// as pq (one-shot: no stage is fine-tuned). The section's observer, block sizes and
// quant.exclude stay; so do training, data and noise.
RunConfig config_with_layer_choices(const RunConfig& config,
                                    const std::vector<std::pair<std::string, LayerChoice>>& choices,
                                    bool others_uncompressed);

// The layers a sensitivity table measures: every quantizable layer quant.exclude leaves
// compressed, bottom to top.
std::vector<std::string> sensitivity_layers(const RunConfig& config);

// How much worse `metric` is than `baseline`: baseline - metric for accuracy, metric -
// baseline for perplexity.
double metric_drop(const std::string& metric_name, double baseline, double metric);

// Measures a per-layer sensitivity table (docs/analysis.md, "Layer sensitivity and the
// size solver"): trains the config's model once exactly as run_training would (or loads it
// from `trained_models`), then for each layer of sensitivity_layers and each candidate
// quantizes that layer alone on a copy of the trained model, from run_training's
// post-training random stream, re-estimates BatchNorm and evaluates the model rebuilt from
// its stored tensors: the metric a real run of config_with_layer_choices(config, {{layer,
// candidate}}, true) reports, to the bit on one device. k-means runs once per layer and
// candidate. A candidate that cannot store a layer (a block size that does not divide it)
// is left out for that layer; one that stores it exactly as an earlier candidate does (K
// lowered to the same value) too. Reports "sensitivity i/n: LAYER CANDIDATE" stages and
// checks `cancel` between measurements.
SensitivityTable measure_layer_sensitivity(const RunConfig& config,
                                           const std::vector<std::string>& candidates,
                                           TrainingObserver* observer, const CancelToken* cancel,
                                           TrainedModelCache* trained_models = nullptr);

// A TrainedModelCache that remembers every model trained through it, in memory, and asks
// `next` (the store's, say) for those it does not hold: `qnoise solve --run` measures and
// then runs the mixed config on one trained model.
class RememberedTrainedModels final : public TrainedModelCache {
 public:
  explicit RememberedTrainedModels(TrainedModelCache* next = nullptr) : next_(next) {}

  std::optional<TrainedModel> find(const std::string& key, const std::string& device) override;
  bool wants(const std::string&) override { return true; }
  void keep(const std::string& key, const std::string& device, const TrainedModel& model) override;
  // Every model remembered, by (training key, device).
  const std::map<std::pair<std::string, std::string>, TrainedModel>& models() const {
    return models_;
  }

 private:
  TrainedModelCache* next_;
  std::map<std::pair<std::string, std::string>, TrainedModel> models_;
};

}  // namespace qn
