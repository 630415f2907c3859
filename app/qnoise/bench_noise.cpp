// `qnoise bench noise`: what Quant-Noise adds to a training step. One Linear layer trained
// with SGD, timed plain and with each noise (int per weight, PQ proxy, PQ exact), as
// GPU.md's Linear(1024 -> 4096) figures were measured.
#include <ATen/Parallel.h>
#include <torch/optim/sgd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/runtime.h"
#include "nn/quantizable_modules.h"

namespace qn::cli {
namespace {

struct BenchNoiseArgs {
  int64_t in_features = 1024;
  int64_t out_features = 4096;
  int64_t batch = 512;
  int steps = 30;
  double p = 0.1;
  int64_t block = 8;
  std::string device = "auto";
  bool json = false;
};

// Seconds a step, median of `steps` timed steps after 3 untimed ones.
double seconds_per_step(QLinear& layer, const torch::Tensor& input, const torch::Tensor& target,
                        int steps, const torch::Device& device) {
  torch::optim::SGD optimizer(layer->parameters(), torch::optim::SGDOptions(1e-3));
  std::vector<double> times;
  for (int step = 0; step < steps + 3; ++step) {
    const auto began = std::chrono::steady_clock::now();
    optimizer.zero_grad();
    torch::mse_loss(layer->forward(input), target).backward();
    optimizer.step();
    if (device.is_cuda()) layer->weight().sum().item<float>();  // wait for the GPU
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    if (step >= 3) times.push_back(seconds);
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  return times[times.size() / 2];
}

int run(const BenchNoiseArgs& args) {
  const auto device = resolve_device(args.device);
  torch::manual_seed(0);
  const auto input =
      torch::randn({args.batch, args.in_features}, torch::TensorOptions().device(device));
  const auto target =
      torch::randn({args.batch, args.out_features}, torch::TensorOptions().device(device));
  const BlockLayout layout({"bench", LayerKind::Linear}, {args.out_features, args.in_features},
                           args.block);

  struct Variant {
    std::string name;
    std::function<std::unique_ptr<LayerNoise>()> noise;
  };
  const std::vector<Variant> variants = {
      {"plain", [] { return std::unique_ptr<LayerNoise>(); }},
      {"int8 noise",
       [&] {
         return make_int_noise({/*bits=*/8, RangeObserver::MinMax, args.p, 100});
       }},
      {"pq proxy noise",
       [&] {
         return make_pq_noise(layout, {NoiseForm::Proxy, args.p});
       }},
      {"pq exact noise",
       [&] {
         return make_pq_noise(layout, {NoiseForm::Exact, args.p});
       }},
  };
  nlohmann::json rows = nlohmann::json::array();
  double plain = 0;
  for (const auto& variant : variants) {
    QLinear layer(args.in_features, args.out_features);
    layer->to(device);
    layer->set_noise(variant.noise());
    layer->train();
    const double seconds = seconds_per_step(layer, input, target, args.steps, device);
    if (rows.empty()) plain = seconds;
    rows.push_back({{"variant", variant.name},
                    {"seconds_per_step", seconds},
                    {"overhead", seconds / plain - 1.0}});
  }
  const nlohmann::json result = {{"bench", "noise"},
                                 {"device", describe_device(device)},
                                 {"in_features", args.in_features},
                                 {"out_features", args.out_features},
                                 {"batch", args.batch},
                                 {"p", args.p},
                                 {"block", args.block},
                                 {"steps", args.steps},
                                 {"variants", rows}};
  if (args.json) {
    std::cout << result.dump() << "\n";
    return 0;
  }
  std::printf(
      "Linear(%lld -> %lld), batch %lld, SGD, p = %.2f, blocks of %lld, on %s (median of %d "
      "steps)\n",
      static_cast<long long>(args.in_features), static_cast<long long>(args.out_features),
      static_cast<long long>(args.batch), args.p, static_cast<long long>(args.block),
      describe_device(device).c_str(), args.steps);
  for (const auto& row : rows) {
    std::printf("  %-16s %9.3f ms/step  %+6.1f%%\n", row["variant"].get<std::string>().c_str(),
                1e3 * row["seconds_per_step"].get<double>(), 100 * row["overhead"].get<double>());
  }
  return 0;
}

}  // namespace

void add_bench_noise_command(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchNoiseArgs>();
  auto* command = bench.add_subcommand("noise", "training-step cost of each Quant-Noise form");
  command->add_option("--in", args->in_features, "input features")->capture_default_str();
  command->add_option("--out", args->out_features, "output features")->capture_default_str();
  command->add_option("--batch", args->batch, "batch size")->capture_default_str();
  command->add_option("--steps", args->steps, "timed steps")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_option("--p", args->p, "noise rate")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  command->add_option("--block", args->block, "PQ block size (divides --in)")
      ->capture_default_str();
  command->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
