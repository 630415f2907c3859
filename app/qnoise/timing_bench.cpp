#include "timing_bench.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "bench/bench_machine.h"
#include "twin_process.h"

namespace qn::cli {
namespace {

std::string percent(double ratio) {
  char text[32];
  std::snprintf(text, sizeof(text), "%+.1f%%", 100 * (ratio - 1));
  return text;
}

// The comparisons run_timing_bench makes (timing_bench.h).
std::vector<std::pair<std::string, std::string>> comparisons(
    const std::vector<BenchVariant>& engine, const std::vector<BenchVariant>& twin) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t v = 1; v < engine.size(); ++v) pairs.push_back({engine[v].name, engine[0].name});
  for (const auto& variant : twin) {
    const auto space = variant.name.find(' ');
    const std::string engine_name =
        space == std::string::npos ? std::string() : variant.name.substr(space + 1);
    const bool named = std::any_of(engine.begin(), engine.end(),
                                   [&](const BenchVariant& e) { return e.name == engine_name; });
    if (named) pairs.push_back({engine_name, variant.name});
  }
  return pairs;
}

}  // namespace

void add_timing_bench_options(CLI::App& command, TimingBenchArgs& args) {
  auto& schedule = args.schedule;
  command.add_option("--blocks", schedule.blocks, "rounds: each times every variant once")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{2}, int64_t{100000}));
  command.add_option("--steps-per-block", schedule.steps_per_block, "steps a block")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command.add_option("--warmup", schedule.warmup_steps, "untimed steps of each variant first")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command.add_option("--order-seed", schedule.seed, "seed of the rounds' shuffled orders")
      ->capture_default_str();
  command.add_option("--twin", args.twin,
                     "a command serving a twin's variants, timed in the same schedule "
                     "(experiments/bench/twin.py)");
  // `qnoise bench kmeans` has --json from the k-means options already.
  if (!command.get_option_no_throw("--json")) {
    command.add_flag("--json", args.json, "print one JSON object on stdout");
  }
}

nlohmann::json run_timing_bench(const std::vector<BenchVariant>& engine,
                                const TimingBenchArgs& args, const nlohmann::json& twin_setup) {
  check_schedule(args.schedule);
  std::shared_ptr<TwinProcess> twin;
  std::vector<BenchVariant> twin_side;
  if (!args.twin.empty()) {
    twin = std::make_shared<TwinProcess>(args.twin, twin_setup);
    twin_side = twin_variants(twin);
  }
  auto variants = engine;
  variants.insert(variants.end(), twin_side.begin(), twin_side.end());
  const auto times = run_interleaved(variants, args.schedule, [&](int64_t round) {
    std::cerr << "round " << round + 1 << "/" << args.schedule.blocks << "\n";
  });
  auto result = interleaved_report(times, comparisons(engine, twin_side));
  result["machine"] = describe_bench_machine();
  if (twin) result["twin"] = twin->handshake();
  return result;
}

void print_timing_bench(const std::string& title, const nlohmann::json& result, bool json) {
  if (json) {
    std::cout << result.dump() << "\n";
    return;
  }
  const auto& machine = result["machine"];
  const auto& schedule = result["schedule"];
  std::printf("%s\n%s: %s, %d cores, %d threads, %s, BLAS %s\n", title.c_str(),
              machine["host"].get<std::string>().c_str(), machine["cpu"].get<std::string>().c_str(),
              machine["cores"].get<int>(), machine["threads"].get<int>(),
              machine["libtorch"].get<std::string>().c_str(),
              machine["blas"].get<std::string>().c_str());
  if (result.contains("twin")) {
    std::printf("twin: %s\n", result["twin"].value("versions", nlohmann::json()).dump().c_str());
  }
  std::printf("%lld rounds of %lld steps a variant, after %lld warm-up steps each; each round "
              "in a fresh shuffled order\n",
              schedule["blocks"].get<long long>(), schedule["steps_per_block"].get<long long>(),
              schedule["warmup_steps"].get<long long>());
  std::printf("  %-36s %28s %10s\n", "variant", "ms a step: median [IQR]", "steps/s");
  for (const auto& row : result["variants"]) {
    const auto& seconds = row["seconds_per_step"];
    std::printf("  %-36s %10.2f [%7.2f .. %7.2f] %10.2f\n",
                row["variant"].get<std::string>().c_str(), 1e3 * seconds["median"].get<double>(),
                1e3 * seconds["lower_quartile"].get<double>(),
                1e3 * seconds["upper_quartile"].get<double>(),
                row["steps_per_second"]["median"].get<double>());
  }
  if (result["comparisons"].empty()) return;
  const double coverage = result["comparisons"][0]["time_ratio"]["coverage"];
  std::printf("time against a reference, round by round: median [%.1f%% interval of the "
              "median], and speed as a multiple of the reference's\n",
              100 * coverage);
  for (const auto& row : result["comparisons"]) {
    const auto& ratio = row["time_ratio"];
    const std::string pair =
        row["variant"].get<std::string>() + " / " + row["reference"].get<std::string>();
    std::printf("  %-58s %7s [%7s .. %7s] %6.2fx  %s\n", pair.c_str(),
                percent(ratio["median"]).c_str(), percent(ratio["median_low"]).c_str(),
                percent(ratio["median_high"]).c_str(), 1 / ratio["median"].get<double>(),
                row["verdict"].get<std::string>().c_str());
  }
}

}  // namespace qn::cli
