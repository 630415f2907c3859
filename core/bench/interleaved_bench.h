#pragma once
// The benchmark harness every `qnoise bench` timing shares (train, noise, kmeans), and
// with it their PyTorch twins (app/qnoise/twin_process.h serves a twin's variants here).
//
// On a shared machine a step's time wanders by tens of percent over minutes, and the
// order of measurement matters (a variant timed right after another one inherits its
// caches and its neighbour's load). So no variant is timed in one stretch: after one
// untimed warm-up block each, every round runs one short block of every variant in a
// freshly shuffled order, and figures are medians over blocks with their spread.
// Comparisons are made round by round (paired ratios), so that a slow round slows both
// sides of the ratio.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/sample_spread.h"

namespace qn {

struct BenchVariant {
  std::string name;
  // Runs `steps` steps and returns the seconds a step. Whatever the steps need (a model,
  // an optimizer, a process) is made before and kept between blocks.
  std::function<double(int64_t steps)> run_block;
};

struct InterleavedSchedule {
  int64_t warmup_steps = 5;  // one untimed block of each variant first
  int64_t steps_per_block = 10;
  int64_t blocks = 20;  // rounds: each times every variant once, in a shuffled order
  uint64_t seed = 0;    // of the shuffles
};

// The InputError naming the field when a schedule cannot be run (a count below 1, or
// fewer than 2 blocks: no spread).
void check_schedule(const InterleavedSchedule& schedule);

struct InterleavedTimes {
  std::vector<std::string> names;
  std::vector<std::vector<double>> seconds;  // [variant][round]: seconds a step
  InterleavedSchedule schedule;

  size_t index_of(const std::string& name) const;  // an InputError for an unknown name
};

// Runs the schedule; `on_round(r)` after each round (progress). Variants' names must be
// distinct (InputError).
InterleavedTimes run_interleaved(const std::vector<BenchVariant>& variants,
                                 const InterleavedSchedule& schedule,
                                 const std::function<void(int64_t round)>& on_round = {});

// How a ratio of times reads: "within noise" when its confidence interval contains 1,
// else "slower" or "faster".
std::string ratio_verdict(const SampleSpread& ratio);

// {count, median, lower_quartile, upper_quartile, median_low, median_high, coverage}.
nlohmann::json to_json(const SampleSpread& spread);

// The report of a run: the schedule; for each variant its seconds a step and steps a
// second (spreads over rounds); and for each (variant, reference) pair asked for, the
// spread of variant's time over reference's, round by round, with its verdict.
nlohmann::json interleaved_report(const InterleavedTimes& times,
                                  const std::vector<std::pair<std::string, std::string>>& comparisons);

}  // namespace qn
