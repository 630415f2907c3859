// `qnoise demo`: every quantizer applied to one weight matrix, with its error and exact
// size. The matrix is synthetic but shaped like a trained layer's: rows of different scales
// and heavy tails, the two things the observers and PQ have to cope with.
#include <torch/types.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "commands.h"
#include "common/runtime.h"
#include "quant/int_quantizer.h"
#include "quant/plain_quantizer.h"
#include "quant/pq_quantizer.h"

namespace qn::cli {
namespace {

struct DemoArgs {
  int64_t rows = 1024;
  int64_t cols = 1024;
  uint64_t seed = 0;
  std::string device = "auto";
  bool json = false;
};

torch::Tensor demo_weight(const DemoArgs& args) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(args.seed);
  // Log-normal scale mixture of Gaussians: heavy-tailed entries; row scales over a decade.
  const auto values =
      torch::randn({args.rows, args.cols}, generator, torch::kFloat) *
      torch::exp(0.5 * torch::randn({args.rows, args.cols}, generator, torch::kFloat));
  const auto row_scale =
      torch::pow(10.0, torch::rand({args.rows, 1}, generator, torch::kFloat) - 2.0);
  return values * row_scale;
}

std::vector<std::unique_ptr<Quantizer>> demo_quantizers(uint64_t seed) {
  std::vector<std::unique_ptr<Quantizer>> quantizers;
  quantizers.push_back(std::make_unique<PlainQuantizer>(PlainWidth::Fp32));
  quantizers.push_back(std::make_unique<PlainQuantizer>(PlainWidth::Fp16));
  for (int bits : {8, 4, 2}) {
    for (auto observer :
         {RangeObserver::MinMax, RangeObserver::Channel, RangeObserver::Histogram}) {
      quantizers.push_back(std::make_unique<IntQuantizer>(IntOptions{bits, observer}));
    }
  }
  for (auto [block, format] :
       {std::pair{int64_t{4}, CodebookFormat::Fp16}, std::pair{int64_t{8}, CodebookFormat::Fp16},
        std::pair{int64_t{8}, CodebookFormat::Int8}}) {
    PqOptions options;
    options.seed = seed;
    options.block_sizes = BlockSizes::uniform(block);
    options.codebook_format = format;
    quantizers.push_back(std::make_unique<PqQuantizer>(options));
  }
  return quantizers;
}

int run(const DemoArgs& args) {
  torch::NoGradGuard no_grad;
  const auto device = resolve_device(args.device);
  const auto weight = demo_weight(args).to(device);
  const LayerInfo layer{"demo.fc", LayerKind::Linear};
  const double energy = weight.pow(2).sum(torch::kDouble).item<double>();
  const double fp32_bytes = 4.0 * static_cast<double>(weight.numel());

  nlohmann::json rows = nlohmann::json::array();
  for (const auto& quantizer : demo_quantizers(args.seed)) {
    const auto start = std::chrono::steady_clock::now();
    const auto compressed = quantizer->compress(weight, layer);
    const auto decoded = compressed->decode();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double error = (decoded - weight).pow(2).sum(torch::kDouble).item<double>() / energy;
    const auto bytes = compressed->storage().total();
    rows.push_back({{"quantizer", quantizer->describe()},
                    {"method", compressed->method()},
                    {"bytes", bytes},
                    {"bits_per_weight",
                     8.0 * static_cast<double>(bytes) / static_cast<double>(weight.numel())},
                    {"compression", fp32_bytes / static_cast<double>(bytes)},
                    {"relative_sq_error", error},
                    {"sqnr_db", error > 0 ? -10.0 * std::log10(error) : INFINITY},
                    {"seconds", seconds}});
  }

  nlohmann::json result = {{"weight", {{"name", layer.name}, {"shape", {args.rows, args.cols}}}},
                           {"device", describe_device(device)},
                           {"quantizers", rows}};
  if (args.json) {
    std::cout << result.dump() << "\n";
    return 0;
  }
  std::printf(
      "Each quantizer applied to %s, a %lldx%lld Linear weight (heavy-tailed, row scales\n"
      "over a decade), on %s. Error = |W - Q(W)|^2 / |W|^2; bytes exact, as exported.\n\n",
      layer.name.c_str(), static_cast<long long>(args.rows), static_cast<long long>(args.cols),
      describe_device(device).c_str());
  std::printf("%-32s %12s %9s %7s %12s %8s %8s\n", "quantizer", "bytes", "bits/w", "ratio",
              "rel. error", "SQNR dB", "seconds");
  for (const auto& row : rows) {
    std::printf("%-32s %12lld %9.3f %6.1fx %12.3e %8.2f %8.3f\n",
                row["quantizer"].get<std::string>().c_str(), row["bytes"].get<long long>(),
                row["bits_per_weight"].get<double>(), row["compression"].get<double>(),
                row["relative_sq_error"].get<double>(), row["sqnr_db"].get<double>(),
                row["seconds"].get<double>());
  }
  return 0;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DemoArgs>();
  auto* command =
      app.add_subcommand("demo", "every quantizer on one weight matrix: error and exact size");
  command->add_option("--rows", args->rows, "weight rows")->capture_default_str();
  command->add_option("--cols", args->cols, "weight columns (divisible by 8)")
      ->capture_default_str();
  command->add_option("--seed", args->seed, "seed of the weight and of k-means")
      ->capture_default_str();
  command->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
