// `qnoise bench noise`: what Quant-Noise adds to a training step. One Linear layer trained
// with SGD, plain and with each noise (int per weight, PQ proxy, PQ exact), as experiments/gpu/RESULTS.md's
// Linear(1024 -> 4096) figures were measured, in the interleaved schedule of
// core/bench/interleaved_bench.h.
#include <torch/optim/sgd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/runtime.h"
#include "nn/quantizable_modules.h"
#include "timing_bench.h"

namespace qn::cli {
namespace {

struct BenchNoiseArgs {
  int64_t in_features = 1024;
  int64_t out_features = 4096;
  int64_t batch = 512;
  double p = 0.1;
  int64_t block = 8;
  std::string device = "auto";
  TimingBenchArgs timing;
};

// A layer and its optimizer, kept between blocks.
struct NoisyLayer {
  QLinear layer;
  torch::optim::SGD optimizer;
};

BenchVariant layer_variant(const std::string& name, std::unique_ptr<LayerNoise> noise,
                           const BenchNoiseArgs& args, const torch::Tensor& input,
                           const torch::Tensor& target, const torch::Device& device) {
  QLinear layer(args.in_features, args.out_features);
  layer->to(device);
  layer->set_noise(std::move(noise));
  layer->train();
  auto state = std::make_shared<NoisyLayer>(
      NoisyLayer{layer, torch::optim::SGD(layer->parameters(), torch::optim::SGDOptions(1e-3))});
  return {name, [state, input, target, device](int64_t steps) {
            const auto began = std::chrono::steady_clock::now();
            for (int64_t step = 0; step < steps; ++step) {
              state->optimizer.zero_grad();
              torch::mse_loss(state->layer->forward(input), target).backward();
              state->optimizer.step();
            }
            if (device.is_cuda()) state->layer->weight().sum().item<float>();  // wait for it
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - began)
                       .count() /
                   double(steps);
          }};
}

int run(const BenchNoiseArgs& args) {
  const auto device = resolve_device(args.device);
  torch::manual_seed(0);
  const auto options = torch::TensorOptions().device(device);
  const auto input = torch::randn({args.batch, args.in_features}, options);
  const auto target = torch::randn({args.batch, args.out_features}, options);
  const BlockLayout layout({"bench", LayerKind::Linear}, {args.out_features, args.in_features},
                           args.block);
  const std::vector<BenchVariant> variants = {
      layer_variant("plain", nullptr, args, input, target, device),
      layer_variant("int8 noise", make_int_noise({/*bits=*/8, RangeObserver::MinMax, args.p, 100}),
                    args, input, target, device),
      layer_variant("pq proxy noise", make_pq_noise(layout, {NoiseForm::Proxy, args.p}), args,
                    input, target, device),
      layer_variant("pq exact noise", make_pq_noise(layout, {NoiseForm::Exact, args.p}), args,
                    input, target, device),
  };
  const nlohmann::json setup = {{"bench", "noise"},     {"in_features", args.in_features},
                                {"out_features", args.out_features}, {"batch", args.batch},
                                {"p", args.p},          {"block", args.block}};
  auto result = run_timing_bench(variants, args.timing, setup);
  result.update(setup);
  result["device"] = describe_device(device);
  print_timing_bench("Linear(" + std::to_string(args.in_features) + " -> " +
                         std::to_string(args.out_features) + "), batch " +
                         std::to_string(args.batch) + ", SGD, p = " + nlohmann::json(args.p).dump() +
                         ", blocks of " + std::to_string(args.block) + ", on " +
                         describe_device(device),
                     result, args.timing.json);
  return 0;
}

}  // namespace

void add_bench_noise_command(CLI::App& bench, int& exit_code) {
  auto args = std::make_shared<BenchNoiseArgs>();
  args->timing.schedule = {/*warmup_steps=*/3, /*steps_per_block=*/5, /*blocks=*/20, /*seed=*/0};
  auto* command = bench.add_subcommand("noise", "training-step cost of each Quant-Noise form");
  command->add_option("--in", args->in_features, "input features")->capture_default_str();
  command->add_option("--out", args->out_features, "output features")->capture_default_str();
  command->add_option("--batch", args->batch, "batch size")->capture_default_str();
  command->add_option("--p", args->p, "noise rate")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.99));
  command->add_option("--block", args->block, "PQ block size (divides --in)")
      ->capture_default_str();
  command->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  add_timing_bench_options(*command, args->timing);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
