// `qnoise bench train`: training steps a second of any config's model, data shape, batch
// and optimizer (the presets in resources/presets), plain and under each Quant-Noise,
// through the real trainer, in the interleaved schedule of core/bench/interleaved_bench.h.
// With --twin, the same model and loop in PyTorch (experiments/bench/twin.py) is timed in
// the same schedule, so the engine-against-PyTorch ratio is paired round by round too.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.h"
#include "common/error.h"
#include "common/runtime.h"
#include "config/run_config.h"
#include "data/task_data.h"
#include "store/run_store.h"
#include "sweep/recording_observer.h"
#include "sweep/run_queue.h"
#include "timing_bench.h"
#include "train/noise_attachment.h"
#include "train/task_model.h"
#include "train/trainer.h"

namespace qn::cli {
namespace {

struct BenchTrainArgs {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string device = "auto";
  std::vector<std::string> only;  // variants to time; empty: all
  TimingBenchArgs timing;
};

// The time between consecutive steps: everything a step costs, the trainer's own work
// (shuffling, batch gathering, the schedule) included, and nothing of the block's start.
class StepClock final : public TrainingObserver {
 public:
  void on_step(const StepEvent&) override {
    const auto now = std::chrono::steady_clock::now();
    if (first_) {
      ++steps_;
    } else {
      first_ = now;
    }
    last_ = now;
  }
  double mean_seconds() const { return mean_seconds_until(last_); }
  // The same, to `end`: a recorder's last flush, after the last step, belongs to the block.
  double mean_seconds_until(std::chrono::steady_clock::time_point end) const {
    return std::chrono::duration<double>(end - *first_).count() / double(steps_);
  }

 private:
  std::optional<std::chrono::steady_clock::time_point> first_;
  std::chrono::steady_clock::time_point last_;
  int64_t steps_ = 0;
};

struct TrainingVariant {
  std::string name;
  std::string patch;      // a JSON merge patch on the config
  bool recorded = false;  // metrics written to a store, as `qnoise train --db` does
};

// The noise settings of the paper table (experiments/paper_table): rate 0.5 for int, 0.1
// for PQ.
const std::vector<TrainingVariant>& training_variants() {
  static const std::vector<TrainingVariant> variants = {
      {"plain", R"({})"},
      {"plain, metrics recorded to a store", R"({})", true},
      {"int8 quant-noise p=0.5",
       R"({"quant": {"method": "int", "bits": 8}, "noise": {"mode": "quant-noise", "p": 0.5}})"},
      {"int4 ste", R"({"quant": {"method": "int", "bits": 4}, "noise": {"mode": "ste"}})"},
      {"pq proxy p=0.1",
       R"({"quant": {"method": "pq"}, "noise": {"mode": "quant-noise", "p": 0.1}})"},
      {"pq exact p=0.1",
       R"({"quant": {"method": "pq"}, "noise": {"mode": "quant-noise", "p": 0.1, "form": "exact"}})"},
  };
  return variants;
}

// A variant's model, optimizer settings and store, kept between its blocks: each block
// trains the same model on (a block of steps, then the trainer returns).
struct VariantState {
  RunConfig config;
  TaskModel model;
  std::unique_ptr<RunStore> store;
  std::filesystem::path store_path;

  ~VariantState() {
    store.reset();
    if (!store_path.empty()) std::filesystem::remove(store_path);
  }
};

// The variant's runner; `parameters` receives its model's parameter count.
BenchVariant make_variant(const TrainingVariant& variant, const nlohmann::json& base,
                          const TaskData& data, const torch::Device& device,
                          int64_t& parameters) {
  auto json = base;
  json.merge_patch(nlohmann::json::parse(variant.patch));
  auto state = std::make_shared<VariantState>();
  state->config = parse_run_config(json);
  torch::manual_seed(0);
  state->model = make_task_model(state->config, data, device);
  attach_noise(*state->model.module, state->config.quant, state->config.noise, 0);
  parameters = 0;
  for (const auto& parameter : state->model.module->parameters()) parameters += parameter.numel();
  if (variant.recorded) {
    state->store_path = std::filesystem::temp_directory_path() /
                        ("qnoise-bench-train-" + std::to_string(getpid()) + ".sqlite");
    std::filesystem::remove(state->store_path);
    state->store = std::make_unique<RunStore>(state->store_path.string());
  }
  return {variant.name, [state, &data, device](int64_t steps) {
            auto train = state->config.train;
            train.max_steps = steps + 1;  // the clock times from the end of the first
            StepClock clock;
            auto& model = state->model;
            if (!state->store) {
              train_model(*model.module, model.forward, data.train, train, &clock, nullptr);
              return clock.mean_seconds();
            }
            const auto run = state->store->begin_run(to_json(state->config),
                                                     describe_device(device));
            {
              RecordingObserver recorder(*state->store, run.id, QueueOptions{}.metrics_batch,
                                         &clock);
              train_model(*model.module, model.forward, data.train, train, &recorder, nullptr);
            }  // its destructor writes what the block's steps left pending
            return clock.mean_seconds_until(std::chrono::steady_clock::now());
          }};
}

int run(const BenchTrainArgs& args) {
  auto base = read_config_file(args.config_path);
  for (const auto& assignment : args.overrides) apply_override(base, assignment);
  base.merge_patch({{"quant", {{"method", "none"}}}, {"noise", {{"mode", "none"}}}});
  auto config = parse_run_config(base);
  config.device = args.device;
  const auto& all = training_variants();
  for (const auto& name : args.only) {  // refused before any data loads
    if (std::none_of(all.begin(), all.end(), [&](const auto& v) { return v.name == name; })) {
      std::string known;
      for (const auto& variant : all) known += "\n  " + variant.name;
      throw InputError("--variant '" + name + "' is not a variant of bench train; it has:" +
                       known);
    }
  }
  const auto device = resolve_device(args.device);
  const auto data = load_task_data(config, device);

  std::vector<BenchVariant> variants;
  int64_t parameters = 0;  // every variant builds the same model
  for (const auto& variant : all) {
    if (args.only.empty() ||
        std::find(args.only.begin(), args.only.end(), variant.name) != args.only.end()) {
      variants.push_back(make_variant(variant, base, data, device, parameters));
    }
  }
  const nlohmann::json setup = {{"bench", "train"},
                                {"config", to_json(config)},
                                {"classes", data.classes},
                                {"image_shape", data.image_shape},
                                {"parameters", parameters}};
  auto result = run_timing_bench(variants, args.timing, setup);
  result["bench"] = "train";
  result["config"] = to_json(config);
  result["parameters"] = parameters;
  result["device"] = describe_device(device);
  print_timing_bench(config.model.arch + " (" + std::to_string(parameters) +
                         " parameters), batch " + std::to_string(config.train.batch_size) + ", " +
                         config.train.optimizer + ", on " + describe_device(device),
                     result, args.timing.json);
  return 0;
}

}  // namespace

void add_bench_train_command(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchTrainArgs>();
  auto* command = bench.add_subcommand(
      "train", "training steps a second of a config's model, plain and with each noise");
  command->add_option("--config", args->config_path, "the run config (a preset, or yours)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--set", args->overrides, "override one value: KEY=VALUE (repeatable)");
  command->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  command->add_option("--variant", args->only,
                      "time only this variant (repeatable; the first of the table's order is the "
                      "reference), for profiling one");
  add_timing_bench_options(*command, args->timing);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
