// `qnoise bench memory`: the peak resident memory of training a config's model (a preset,
// or yours), measured in this fresh process: the data is loaded first, then the peak is
// reset and the model is built and trained for a few steps, so that the figure is what the
// model, its gradients, the optimizer's state and a batch's activations take. The PyTorch
// twin (experiments/bench/twin.py memory) measures the same model and batch the same way.
#include <malloc.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "bench/bench_machine.h"
#include "bench/resident_memory.h"
#include "commands.h"
#include "common/runtime.h"
#include "config/run_config.h"
#include "data/task_data.h"
#include "train/noise_attachment.h"
#include "train/task_model.h"
#include "train/trainer.h"

namespace qn::cli {
namespace {

struct BenchMemoryArgs {
  std::string config_path;
  std::vector<std::string> overrides;
  int64_t steps = 20;
  std::string device = "auto";
  bool json = false;
};

int run(const BenchMemoryArgs& args) {
  auto json = read_config_file(args.config_path);
  for (const auto& assignment : args.overrides) apply_override(json, assignment);
  auto config = parse_run_config(json);
  config.device = args.device;
  config.train.max_steps = args.steps;
  const auto device = resolve_device(args.device);
  const auto data = load_task_data(config, device);

  // The engine keeps freed heap for reuse (init_runtime); handed back first, so that the
  // model cannot grow into memory the loading freed without it counting in the peak.
  malloc_trim(0);
  const int64_t with_data = resident_bytes();
  reset_peak_resident_memory();
  torch::manual_seed(0);
  const auto model = make_task_model(config, data, device);
  attach_noise(*model.module, config.quant, config.noise, 0);
  int64_t parameters = 0;
  for (const auto& p : model.module->parameters()) parameters += p.numel();
  train_model(*model.module, model.forward, data.train, config.train, nullptr, nullptr);
  const int64_t peak = peak_resident_bytes();

  const nlohmann::json result = {{"bench", "memory"},
                                 {"machine", describe_bench_machine()},
                                 {"config", to_json(config)},
                                 {"parameters", parameters},
                                 {"classes", data.classes},
                                 {"image_shape", data.image_shape},
                                 {"steps", args.steps},
                                 {"resident_with_data_bytes", with_data},
                                 {"peak_bytes", peak},
                                 {"peak_above_data_bytes", peak - with_data}};
  if (args.json) {
    std::cout << result.dump() << "\n";
    return 0;
  }
  std::printf("%s (%lld parameters), batch %lld, %s, %lld steps on %s\n"
              "  resident with the data loaded  %8.1f MiB\n"
              "  peak while training            %8.1f MiB (%.1f MiB above the data)\n",
              config.model.arch.c_str(), static_cast<long long>(parameters),
              static_cast<long long>(config.train.batch_size), config.train.optimizer.c_str(),
              static_cast<long long>(args.steps), describe_device(device).c_str(),
              double(with_data) / (1 << 20), double(peak) / (1 << 20),
              double(peak - with_data) / (1 << 20));
  return 0;
}

}  // namespace

void add_bench_memory_command(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchMemoryArgs>();
  auto* command = bench.add_subcommand(
      "memory", "peak resident memory of training a config's model (CPU; run it alone)");
  command->add_option("--config", args->config_path, "the run config (a preset, or yours)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--set", args->overrides, "override one value: KEY=VALUE (repeatable)");
  command->add_option("--steps", args->steps, "training steps")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
