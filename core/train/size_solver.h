#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "store/sensitivity_store.h"
#include "train/layer_sensitivity.h"

namespace qn {

// One way to store one layer, for the solver: its exact bytes and its predicted metric drop.
struct SolverOption {
  int64_t bytes = 0;
  double drop = 0;
};

// One option a layer (indices into each layer's list), their bytes and their summed drop.
struct SolverSolution {
  std::vector<size_t> options;
  int64_t bytes = 0;
  double drop = 0;
};

// The multiple-choice knapsack, solved exactly: one option for every layer, the least total
// drop whose total bytes are at most `budget`; among equal drops, the fewest bytes. Nothing
// when even the smallest option of every layer exceeds the budget (or a layer has none).
// Dynamic programming over the reachable totals, layer by layer, keeping only the states no
// other state beats in both bytes and drop (a Pareto list): exact, since a state so beaten
// can be swapped for the one beating it in any completion; no byte granularity is involved.
std::optional<SolverSolution> solve_multiple_choice(
    const std::vector<std::vector<SolverOption>>& layers, int64_t budget);

// What `qnoise solve` chose: one candidate (or none: uncompressed) a layer, and the config
// that stores the model so.
struct MixedPlan {
  int64_t target_bytes = 0;
  int64_t predicted_bytes = 0;  // preview_size of `config`, equal to the solver's sum
  double predicted_metric = 0;  // baseline_metric worsened by the summed drops
  double predicted_drop = 0;
  int64_t smallest_bytes = 0;  // the least any choice reaches
  int64_t fp32_bytes = 0;
  std::vector<std::string> layers;
  std::vector<LayerChoice> choices;     // a layer's candidate; nullopt: left uncompressed
  std::vector<std::string> storages;    // how each layer is then stored ("fp32" if none)
  std::vector<double> drops;            // each layer's predicted drop (never negative)
  RunConfig config;                     // config_with_layer_choices of the choices
};

// The target of a compression ratio: the most bytes a model x`ratio` smaller than fp32 (every
// tensor at 4 bytes, SizeReport::fp32_bytes) may have. A ratio not above 0 is an InputError.
int64_t target_bytes_for_ratio(const RunConfig& config, double ratio);

// The smallest size a mixed config of these candidates (or none) reaches, from the size
// preview alone (before anything trains): what `qnoise solve` checks its target against.
int64_t smallest_mixed_bytes(const RunConfig& config, const std::vector<std::string>& candidates);
// The InputError's text for a target below that size: names the smallest size.
std::string target_too_small_message(const RunConfig& config, int64_t target, int64_t smallest);

// Chooses one of `table`'s candidates, or none, for every layer it measured, minimising the
// summed metric drops (the additive model: docs/analysis.md, "Layer sensitivity and the
// size solver"; a negative drop counts as 0) with the mixed config's exact size
// (size_preview) at most `target_bytes`.
// `config` is the table's. A target below the smallest size the candidates reach is an
// InputError naming that size.
MixedPlan plan_mixed_config(const RunConfig& config, const SensitivityTable& table,
                            int64_t target_bytes);

// A mixed config made an iPQ run: its PQ layers quantized stage by stage with `steps` steps
// of fine-tuning after each (quant.finetune_steps), the rest stored as the plan says (int
// layers are left out of the stages). Same bytes as `mixed`. Nothing when no layer uses PQ
// (nothing to fine-tune).
std::optional<RunConfig> with_ipq_finetuning(const RunConfig& mixed, int64_t steps);

}  // namespace qn
