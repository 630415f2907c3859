#include "bench/interleaved_bench.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "common/error.h"

namespace qn {

void check_schedule(const InterleavedSchedule& schedule) {
  if (schedule.warmup_steps < 0) throw InputError("the warm-up cannot be negative");
  if (schedule.steps_per_block < 1) throw InputError("a block needs at least 1 step");
  if (schedule.blocks < 2) {
    throw InputError("a benchmark needs at least 2 blocks to have a spread (asked for " +
                     std::to_string(schedule.blocks) + ")");
  }
}

size_t InterleavedTimes::index_of(const std::string& name) const {
  const auto found = std::find(names.begin(), names.end(), name);
  if (found == names.end()) throw InputError("no benchmark variant is named '" + name + "'");
  return static_cast<size_t>(found - names.begin());
}

InterleavedTimes run_interleaved(const std::vector<BenchVariant>& variants,
                                 const InterleavedSchedule& schedule,
                                 const std::function<void(int64_t round)>& on_round) {
  check_schedule(schedule);
  InterleavedTimes times{{}, std::vector<std::vector<double>>(variants.size()), schedule};
  std::set<std::string> seen;
  for (const auto& variant : variants) {
    if (!seen.insert(variant.name).second) {
      throw InputError("two benchmark variants are named '" + variant.name + "'");
    }
    times.names.push_back(variant.name);
  }
  std::mt19937_64 shuffler(schedule.seed);
  std::vector<size_t> order(variants.size());
  std::iota(order.begin(), order.end(), 0);
  if (schedule.warmup_steps > 0) {
    std::shuffle(order.begin(), order.end(), shuffler);
    for (const size_t v : order) variants[v].run_block(schedule.warmup_steps);
  }
  for (int64_t round = 0; round < schedule.blocks; ++round) {
    std::shuffle(order.begin(), order.end(), shuffler);
    for (const size_t v : order) {
      times.seconds[v].push_back(variants[v].run_block(schedule.steps_per_block));
    }
    if (on_round) on_round(round);
  }
  return times;
}

std::string ratio_verdict(const SampleSpread& ratio) {
  if (ratio.interval_contains(1.0)) return "within noise";
  return ratio.median > 1.0 ? "slower" : "faster";
}

nlohmann::json to_json(const SampleSpread& spread) {
  return {{"count", spread.count},
          {"median", spread.median},
          {"lower_quartile", spread.lower_quartile},
          {"upper_quartile", spread.upper_quartile},
          {"median_low", spread.median_low},
          {"median_high", spread.median_high},
          {"coverage", spread.coverage}};
}

nlohmann::json interleaved_report(
    const InterleavedTimes& times,
    const std::vector<std::pair<std::string, std::string>>& comparisons) {
  nlohmann::json variants = nlohmann::json::array();
  for (size_t v = 0; v < times.names.size(); ++v) {
    std::vector<double> rates;
    for (const double seconds : times.seconds[v]) rates.push_back(1.0 / seconds);
    variants.push_back({{"variant", times.names[v]},
                        {"seconds_per_step", to_json(spread_of(times.seconds[v]))},
                        {"steps_per_second", to_json(spread_of(rates))}});
  }
  nlohmann::json ratios = nlohmann::json::array();
  for (const auto& [variant, reference] : comparisons) {
    const auto ratio = spread_of(paired_ratios(times.seconds[times.index_of(variant)],
                                               times.seconds[times.index_of(reference)]));
    ratios.push_back({{"variant", variant},
                      {"reference", reference},
                      {"time_ratio", to_json(ratio)},
                      {"verdict", ratio_verdict(ratio)}});
  }
  return {{"schedule",
           {{"warmup_steps", times.schedule.warmup_steps},
            {"steps_per_block", times.schedule.steps_per_block},
            {"blocks", times.schedule.blocks},
            {"seed", times.schedule.seed},
            {"order", "every round runs each variant once, in a fresh shuffled order"}}},
          {"variants", variants},
          {"comparisons", ratios}};
}

}  // namespace qn
