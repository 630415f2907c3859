// `qnoise bench train`: training steps a second of the ConvNet preset's model, batch and
// optimizer, plain and under each Quant-Noise, through the real trainer. Inputs are
// random images of Fashion-MNIST's shape, so the figure is the engine's, not the disk's,
// and experiments/pytorch_speed runs the same model and loop in PyTorch. With --scripted
// FILE each variant is timed a second time on that TorchScript model (the same ConvNet
// scripted from Python: experiments/your_model/scripted_convnet.py), right after the
// built-in one, so the two figures share the machine's state.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/runtime.h"
#include "config/run_config.h"
#include "nn/convnet.h"
#include "nn/scripted_model.h"
#include "store/run_store.h"
#include "sweep/recording_observer.h"
#include "sweep/run_queue.h"
#include "train/noise_attachment.h"
#include "train/trainer.h"

namespace qn::cli {
namespace {

struct BenchTrainArgs {
  int64_t steps = 60;
  int64_t warmup = 5;
  int64_t batch = 128;
  std::string device = "auto";
  std::string scripted;
  bool json = false;
};

// A model to time: built in C++, or a TorchScript file (built again for every variant, so
// that each starts from the same weights).
struct TimedModel {
  std::string name;
  std::function<std::shared_ptr<torch::nn::Module>(Forward&)> make;
};

// The time between consecutive steps: everything a step costs, the trainer's own work
// (shuffling, batch gathering, the schedule) included.
class StepClock final : public TrainingObserver {
 public:
  void on_step(const StepEvent&) override {
    const auto now = std::chrono::steady_clock::now();
    if (last_) durations_.push_back(std::chrono::duration<double>(now - *last_).count());
    last_ = now;
  }
  // Median seconds a step, skipping the first `warmup` steps.
  double median_seconds(size_t warmup) {
    std::vector<double> timed(durations_.begin() + std::min(warmup, durations_.size()),
                              durations_.end());
    std::nth_element(timed.begin(), timed.begin() + timed.size() / 2, timed.end());
    return timed[timed.size() / 2];
  }

 private:
  std::optional<std::chrono::steady_clock::time_point> last_;
  std::vector<double> durations_;
};

struct Variant {
  std::string name;
  std::string overrides;  // a JSON patch on {quant, noise}
  bool recorded = false;  // metrics written to a store, as `qnoise train --db` does
};

// The median seconds of one training step of `timed` under `variant`.
double time_steps(const BenchTrainArgs& args, const Variant& variant, const TimedModel& timed,
                  const Examples& data, const torch::Device& device) {
  auto json = nlohmann::json::parse(R"({"train": {"optimizer": "adam", "lr": 0.002}})");
  json.merge_patch(nlohmann::json::parse(variant.overrides));
  auto config = parse_run_config(json);
  config.train.batch_size = args.batch;
  config.train.max_steps = args.warmup + args.steps + 1;
  torch::manual_seed(0);
  Forward forward;
  const auto model = timed.make(forward);
  model->to(device);
  attach_noise(*model, config.quant, config.noise, 0);
  StepClock clock;
  if (variant.recorded) {
    const auto path = std::filesystem::temp_directory_path() / "qnoise-bench-train.sqlite";
    std::filesystem::remove(path);
    RunStore store(path.string());
    const auto run = store.begin_run(to_json(config), describe_device(device));
    RecordingObserver recorder(store, run.id, QueueOptions{}.metrics_batch, &clock);
    train_model(*model, forward, data, config.train, &recorder, nullptr);
  } else {
    train_model(*model, forward, data, config.train, &clock, nullptr);
  }
  return clock.median_seconds(args.warmup);
}

std::vector<TimedModel> timed_models(const BenchTrainArgs& args) {
  std::vector<TimedModel> models = {{"convnet", [](Forward& forward) {
                                       ConvNet model{ConvNetOptions{}};
                                       forward = [model](const torch::Tensor& x) mutable {
                                         return model->forward(x);
                                       };
                                       return model.ptr();
                                     }}};
  if (!args.scripted.empty()) {
    models.push_back({"scripted", [path = args.scripted](Forward& forward) {
                        auto model = load_scripted_model(path);
                        forward = [model](const torch::Tensor& x) mutable {
                          return model->forward(x);
                        };
                        return std::static_pointer_cast<torch::nn::Module>(model.ptr());
                      }});
  }
  return models;
}

int run(const BenchTrainArgs& args) {
  const auto device = resolve_device(args.device);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
  const int64_t rows = std::max<int64_t>(4096, args.batch * 8);
  const Examples data{torch::randn({rows, 1, 28, 28}, generator, torch::kFloat).to(device),
                      torch::randint(0, 10, {rows}, generator, torch::kLong).to(device)};

  // The table's noise settings (experiments/fmnist_table): rate 0.5 for int, 0.1 for PQ.
  const std::vector<Variant> variants = {
      {"plain", R"({})"},
      {"plain, metrics recorded to a store", R"({})", true},
      {"int8 quant-noise p=0.5",
       R"({"quant": {"method": "int", "bits": 8}, "noise": {"mode": "quant-noise", "p": 0.5}})"},
      {"int4 ste",
       R"({"quant": {"method": "int", "bits": 4}, "noise": {"mode": "ste"}})"},
      {"pq proxy p=0.1",
       R"({"quant": {"method": "pq"}, "noise": {"mode": "quant-noise", "p": 0.1}})"},
      {"pq exact p=0.1",
       R"({"quant": {"method": "pq"}, "noise": {"mode": "quant-noise", "p": 0.1, "form": "exact"}})"},
  };
  nlohmann::json rows_out = nlohmann::json::array();
  double plain = 0;
  for (const auto& variant : variants) {
    double built_in = 0;  // this variant's seconds on the C++ ConvNet
    for (const auto& timed : timed_models(args)) {
      const double seconds = time_steps(args, variant, timed, data, device);
      if (rows_out.empty()) plain = seconds;
      if (built_in == 0) built_in = seconds;
      rows_out.push_back({{"variant", variant.name},
                          {"model", timed.name},
                          {"seconds_per_step", seconds},
                          {"steps_per_second", 1.0 / seconds},
                          {"overhead", seconds / plain - 1.0},
                          {"against_convnet", seconds / built_in - 1.0}});
    }
  }
  const nlohmann::json result = {{"bench", "train"},
                                 {"model", "convnet (fmnist-convnet preset, 1,023,322 params)"},
                                 {"device", describe_device(device)},
                                 {"batch", args.batch},
                                 {"optimizer", "adam"},
                                 {"steps", args.steps},
                                 {"variants", rows_out}};
  if (args.json) {
    std::cout << result.dump() << "\n";
    return 0;
  }
  std::printf("ConvNet preset, batch %lld, Adam, on %s (median of %lld steps)\n",
              static_cast<long long>(args.batch), describe_device(device).c_str(),
              static_cast<long long>(args.steps));
  for (const auto& row : rows_out) {
    std::printf("  %-34s %-9s %8.2f steps/s  %8.1f ms/step  %+6.1f%%  (%+5.1f%% against the "
                "C++ ConvNet)\n",
                row["variant"].get<std::string>().c_str(), row["model"].get<std::string>().c_str(),
                row["steps_per_second"].get<double>(),
                1e3 * row["seconds_per_step"].get<double>(), 100 * row["overhead"].get<double>(),
                100 * row["against_convnet"].get<double>());
  }
  return 0;
}

}  // namespace

void add_bench_train_command(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchTrainArgs>();
  auto* command = bench.add_subcommand(
      "train", "training steps a second of the ConvNet preset, plain and with each noise");
  command->add_option("--steps", args->steps, "timed steps")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--warmup", args->warmup, "untimed steps first")->capture_default_str();
  command->add_option("--batch", args->batch, "batch size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  command->add_option("--scripted", args->scripted,
                      "also time this TorchScript file (the ConvNet scripted from Python)");
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
