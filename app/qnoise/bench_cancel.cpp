// `qnoise bench cancel`: how long a run takes to stop once cancelled, stage by stage. For
// each stage asked for, it starts the run, waits until the engine reports that stage
// (TrainingObserver::on_stage), lets the stage work --after-ms, cancels from another thread
// and times cancel() to the RunCancelled exception; one uncancelled run first gives each
// stage's length. experiments/cancel_latency runs it.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "common/error.h"
#include "common/runtime.h"
#include "config/run_config.h"
#include "train/training_run.h"

namespace qn::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchCancelArgs {
  std::string config_path;
  std::vector<std::string> overrides;
  std::vector<std::string> stages = {"training", "compressing", "re-estimating BatchNorm",
                                     "evaluating"};
  int64_t after_ms = 300;
  int repeats = 3;
  bool json = false;
};

// True if `stage` is one that `asked` names: the same name, or one starting with it ("ipq
// stage" names every iPQ stage).
bool is_stage(const std::string& stage, const std::string& asked) {
  return stage.rfind(asked, 0) == 0;
}

// Cancels the run `after` it enters the first stage `target` names, from its own thread,
// and notes when and in which stage (the target one, unless that stage ended first).
class StageCanceller final : public TrainingObserver {
 public:
  StageCanceller(std::string target, std::chrono::milliseconds after, CancelToken& token)
      : target_(std::move(target)), after_(after), token_(token) {}
  ~StageCanceller() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      run_ended_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void on_stage(const std::string& stage) override {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = stage;
    if (thread_.joinable() || !is_stage(stage, target_)) return;
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(mutex_);
      if (wake_.wait_for(lock, after_, [this] { return run_ended_; })) return;
      cancelled_in_ = current_;
      cancelled_at_ = Clock::now();
      token_.cancel();
    });
  }

  // The stage it cancelled in and when; nothing if the run ended first.
  std::optional<std::pair<std::string, Clock::time_point>> cancellation() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!cancelled_at_) return std::nullopt;
    return std::make_pair(cancelled_in_, *cancelled_at_);
  }

 private:
  std::string target_;
  std::chrono::milliseconds after_;
  CancelToken& token_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool run_ended_ = false;
  std::string current_;
  std::string cancelled_in_;
  std::optional<Clock::time_point> cancelled_at_;
  std::thread thread_;
};

// How long each stage of an uncancelled run takes: what a cancel in that stage would wait
// for if the stage never looked at its token.
class StageClock final : public TrainingObserver {
 public:
  void on_stage(const std::string& stage) override {
    end_current_stage();
    current_ = stage;
    started_ = Clock::now();
  }
  // Seconds in the stages `asked` names, once the run has ended.
  double seconds_in(const std::string& asked) {
    end_current_stage();
    double total = 0;
    for (const auto& [stage, seconds] : seconds_) {
      if (is_stage(stage, asked)) total += seconds;
    }
    return total;
  }

 private:
  void end_current_stage() {
    if (!current_.empty())
      seconds_[current_] += std::chrono::duration<double>(Clock::now() - started_).count();
    current_.clear();
  }

  std::string current_;
  Clock::time_point started_;
  std::map<std::string, double> seconds_;
};

struct Stop {
  std::string stage;   // the stage cancel() came in
  double seconds = 0;  // from cancel() to RunCancelled
};

Stop cancel_in_stage(const RunConfig& config, const std::string& stage,
                     std::chrono::milliseconds after) {
  CancelToken token;
  StageCanceller canceller(stage, after, token);
  try {
    run_training(config, &canceller, &token);
  } catch (const RunCancelled&) {
    const auto stopped = Clock::now();
    const auto [cancelled_in, cancelled_at] = *canceller.cancellation();
    return {cancelled_in, std::chrono::duration<double>(stopped - cancelled_at).count()};
  }
  throw InputError("the run ended before it was cancelled in stage '" + stage +
                   "': the run never reached it, or --after-ms is longer than the rest of it");
}

int run(const BenchCancelArgs& args) {
  auto json = read_config_file(args.config_path);
  for (const auto& assignment : args.overrides) apply_override(json, assignment);
  const auto config = parse_run_config(json);

  StageClock reference;
  run_training(config, &reference, nullptr);

  nlohmann::json rows = nlohmann::json::array();
  for (const auto& stage : args.stages) {
    nlohmann::json stops = nlohmann::json::array();
    double slowest = 0;
    for (int repeat = 0; repeat < args.repeats; ++repeat) {
      const auto stop = cancel_in_stage(config, stage, std::chrono::milliseconds(args.after_ms));
      std::cerr << "cancelled in '" << stop.stage << "': stopped after "
                << static_cast<int>(stop.seconds * 1000) << " ms\n";
      stops.push_back({{"cancelled_in", stop.stage}, {"seconds", stop.seconds}});
      slowest = std::max(slowest, stop.seconds);
    }
    rows.push_back({{"stage", stage},
                    {"uncancelled_stage_seconds", reference.seconds_in(stage)},
                    {"runs", stops},
                    {"max_seconds", slowest}});
  }
  const nlohmann::json result = {{"bench", "cancel"},
                                 {"device", describe_resolved_device(config.device)},
                                 {"after_ms", args.after_ms},
                                 {"config", to_json(config)},
                                 {"stages", rows}};
  if (args.json) {
    std::cout << result.dump() << "\n";
    return 0;
  }
  std::printf("cancel latency on %s, cancelled %lld ms into each stage\n",
              result["device"].get<std::string>().c_str(), static_cast<long long>(args.after_ms));
  for (const auto& row : rows) {
    std::printf("  %-26s max %7.1f ms over %zu runs (the stage takes %.1f s)\n",
                row["stage"].get<std::string>().c_str(), 1e3 * row["max_seconds"].get<double>(),
                row["runs"].size(), row["uncancelled_stage_seconds"].get<double>());
  }
  return 0;
}

}  // namespace

void add_bench_cancel_command(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchCancelArgs>();
  auto* command = bench.add_subcommand(
      "cancel", "time from cancel() to the run stopping, in each stage of a run");
  command->add_option("--config", args->config_path, "RunConfig JSON file")->required();
  command->add_option("--set", args->overrides, "override one value: KEY=VALUE (repeatable)");
  command
      ->add_option("--stage", args->stages,
                   "stages to cancel in, by name or its start (repeatable)")
      ->capture_default_str();
  command->add_option("--after-ms", args->after_ms, "how long each stage works before cancel")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_option("--repeats", args->repeats, "runs cancelled in each stage")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
