#pragma once
// What every timing benchmark of `qnoise bench` shares (train, noise, kmeans): the
// schedule's options, an optional twin process timed in the same schedule
// (twin_process.h), the comparisons made, and the printed report.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/interleaved_bench.h"

namespace qn::cli {

struct TimingBenchArgs {
  InterleavedSchedule schedule;
  std::string twin;  // a command serving the twin's variants; empty: none
  bool json = false;
};

// --blocks --steps-per-block --warmup --order-seed --twin --json (unless the command has
// it already), with `schedule`'s values as
// the defaults shown.
void add_timing_bench_options(CLI::App& command, TimingBenchArgs& args);

// Times `engine` (its first variant is the reference of the overheads) and the twin's
// variants, if any, in one interleaved schedule; progress on stderr. The result holds the
// machine, the twin's handshake, the harness's report, and these comparisons: each engine
// variant against the first; each twin variant against the engine variant of the same
// name after its first word ("pytorch plain" against "plain"), if the engine has it.
nlohmann::json run_timing_bench(const std::vector<BenchVariant>& engine,
                                const TimingBenchArgs& args, const nlohmann::json& twin_setup);

// Prints such a result: with `json`, the object on one line; else `title`, the machine, the
// schedule, a line a variant (median ms a step with its interquartile range, steps a
// second) and a line a comparison (the time ratio as a percentage with its 95% interval
// and verdict).
void print_timing_bench(const std::string& title, const nlohmann::json& result, bool json);

}  // namespace qn::cli
