#include "train/size_solver.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "common/error.h"
#include "train/size_preview.h"

namespace qn {
namespace {

// A partial choice (the first i layers): its totals and how it was reached.
struct State {
  int64_t bytes = 0;
  double drop = 0;
  size_t parent = 0;  // index in the previous layer's list
  size_t option = 0;
};

}  // namespace

std::optional<SolverSolution> solve_multiple_choice(
    const std::vector<std::vector<SolverOption>>& layers, int64_t budget) {
  std::vector<std::vector<State>> levels{{State{}}};
  for (const auto& options : layers) {
    std::vector<State> next;
    const auto& states = levels.back();
    for (size_t s = 0; s < states.size(); ++s) {
      for (size_t o = 0; o < options.size(); ++o) {
        const int64_t bytes = states[s].bytes + options[o].bytes;
        if (bytes > budget) continue;
        next.push_back({bytes, states[s].drop + options[o].drop, s, o});
      }
    }
    std::sort(next.begin(), next.end(), [](const State& a, const State& b) {
      return a.bytes != b.bytes ? a.bytes < b.bytes : a.drop < b.drop;
    });
    std::vector<State> front;  // bytes rising, drop strictly falling
    for (const auto& state : next) {
      if (front.empty() || state.drop < front.back().drop) front.push_back(state);
    }
    if (front.empty()) return std::nullopt;
    levels.push_back(std::move(front));
  }
  const auto& last = levels.back();
  SolverSolution solution;
  solution.bytes = last.back().bytes;
  solution.drop = last.back().drop;
  solution.options.resize(layers.size());
  size_t index = last.size() - 1;
  for (size_t layer = layers.size(); layer > 0; --layer) {
    const auto& state = levels[layer][index];
    solution.options[layer - 1] = state.option;
    index = state.parent;
  }
  return solution;
}

int64_t target_bytes_for_ratio(const RunConfig& config, double ratio) {
  if (!(ratio > 0) || !std::isfinite(ratio)) {
    throw InputError("--target-ratio must be a positive number");
  }
  const auto fp32 = preview_size(config_with_layer_choices(config, {}, false)).size.fp32_bytes();
  return static_cast<int64_t>(std::floor(static_cast<double>(fp32) / ratio));
}

int64_t smallest_mixed_bytes(const RunConfig& config, const std::vector<std::string>& candidates) {
  const auto layers = sensitivity_layers(config);
  const auto baseline = preview_size(config_with_layer_choices(config, {}, true));
  const bool others = baseline.layers.size() > 1;
  int64_t smallest = baseline.size.total_bytes();
  for (const auto& layer : layers) {
    const auto uncompressed = layer_weight_bytes(baseline.size, layer);
    int64_t least = uncompressed;
    for (const auto& name : candidates) {
      const auto candidate = parse_layer_candidate(name);
      try {
        const auto preview =
            preview_size(config_with_layer_choices(config, {{layer, candidate}}, others));
        least = std::min(least, layer_weight_bytes(preview.size, layer));
      } catch (const InputError&) {
        // this candidate cannot store the layer: measure_layer_sensitivity leaves it out
      }
    }
    smallest += least - uncompressed;
  }
  return smallest;
}

std::string target_too_small_message(const RunConfig& config, int64_t target, int64_t smallest) {
  const auto fp32 = preview_size(config_with_layer_choices(config, {}, false)).size.fp32_bytes();
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "x%.1f", static_cast<double>(fp32) / static_cast<double>(smallest));
  return "the target of " + std::to_string(target) +
         " bytes is below the smallest size these candidates reach: " + std::to_string(smallest) +
         " bytes (" + ratio + " against fp32's " + std::to_string(fp32) + ")";
}

MixedPlan plan_mixed_config(const RunConfig& config, const SensitivityTable& table,
                            int64_t target_bytes) {
  const auto layers = sensitivity_layers(config);
  const auto baseline = preview_size(config_with_layer_choices(config, {}, true));
  const bool others = baseline.layers.size() > 1;
  // Everything but the measured layers' weights: biases, norms, excluded layers.
  int64_t fixed = baseline.size.total_bytes();
  std::vector<std::vector<SolverOption>> options(layers.size());
  std::vector<std::vector<LayerChoice>> choices(layers.size());
  std::vector<std::vector<std::string>> storages(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto uncompressed = layer_weight_bytes(baseline.size, layers[i]);
    fixed -= uncompressed;
    options[i].push_back({uncompressed, 0.0});
    choices[i].push_back(std::nullopt);
    storages[i].push_back(layer_storage(baseline, layers[i]));
  }
  for (const auto& row : table.rows) {
    const auto at = std::find(layers.begin(), layers.end(), row.layer);
    if (at == layers.end()) {
      throw InputError("the sensitivity table measures layer '" + row.layer +
                       "', which this config does not compress");
    }
    const auto i = static_cast<size_t>(at - layers.begin());
    const auto candidate = parse_layer_candidate(row.candidate);
    const auto preview = preview_size(config_with_layer_choices(config, {{row.layer, candidate}}, others));
    const auto bytes = layer_weight_bytes(preview.size, row.layer);
    if (bytes != row.weight_bytes) {
      throw InputError("the sensitivity table gives layer '" + row.layer + "' as " +
                       row.candidate + " " + std::to_string(row.weight_bytes) +
                       " bytes, this config " + std::to_string(bytes) + ": measure it again");
    }
    // A negative drop (the layer quantized alone scored better) is read as none: on a slice
    // of a thousand examples most are a few examples of noise, and a solver that sums them
    // picks exactly the noise that reads as a gain (experiments/sensitivity/RESULTS.md: a
    // Quant-Noise model's mix predicted 95.1% against a 91.7% baseline, measured 90.2%).
    options[i].push_back({bytes, std::max(row.metric_drop, 0.0)});
    choices[i].push_back(candidate);
    storages[i].push_back(layer_storage(preview, row.layer));
  }

  MixedPlan plan;
  plan.target_bytes = target_bytes;
  plan.fp32_bytes = baseline.size.fp32_bytes();
  plan.smallest_bytes = fixed;
  for (const auto& layer_options : options) {
    plan.smallest_bytes += std::min_element(layer_options.begin(), layer_options.end(),
                                            [](const SolverOption& a, const SolverOption& b) {
                                              return a.bytes < b.bytes;
                                            })->bytes;
  }
  if (target_bytes < plan.smallest_bytes) {
    throw InputError(target_too_small_message(config, target_bytes, plan.smallest_bytes));
  }
  const auto solution = solve_multiple_choice(options, target_bytes - fixed);
  TORCH_CHECK(solution, "no solution although the smallest choice fits");
  std::vector<std::pair<std::string, LayerChoice>> chosen;
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto option = solution->options[i];
    plan.layers.push_back(layers[i]);
    plan.choices.push_back(choices[i][option]);
    plan.storages.push_back(storages[i][option]);
    plan.drops.push_back(options[i][option].drop);
    chosen.emplace_back(layers[i], choices[i][option]);
  }
  plan.config = config_with_layer_choices(config, chosen, false);
  plan.predicted_bytes = preview_size(plan.config).size.total_bytes();
  TORCH_CHECK(plan.predicted_bytes == fixed + solution->bytes, "the mixed config's size (",
              plan.predicted_bytes, ") differs from the solver's sum (", fixed + solution->bytes, ")");
  plan.predicted_drop = solution->drop;
  plan.predicted_metric = table.metric_name == "perplexity"
                              ? table.baseline_metric + solution->drop
                              : table.baseline_metric - solution->drop;
  return plan;
}

std::optional<RunConfig> with_ipq_finetuning(const RunConfig& mixed, int64_t steps) {
  auto tuned = mixed;
  bool any_pq = false;
  for (auto& entry : tuned.quant.layers) {
    if (entry.method == QuantMethod::PQ) {
      entry.method = QuantMethod::IPQ;
      any_pq = true;
    }
  }
  if (!any_pq) return std::nullopt;
  tuned.quant.method = QuantMethod::IPQ;
  tuned.quant.finetune_steps = steps;
  return tuned;
}

}  // namespace qn
