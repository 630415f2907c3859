#include <ATen/Parallel.h>
#include <torch/types.h>

#include <iostream>

#include "commands.h"
#include "common/runtime.h"
#include "kmeans_job.h"

namespace qn::cli {
namespace {

struct BenchKMeansArgs {
  int64_t rows = 4096;
  int64_t cols = 1024;
  int64_t block = 8;
  int64_t centroids = 256;
  int iterations = 20;
  uint64_t seed = 0;
  std::string device = "auto";
  int64_t chunk_rows = 0;
  bool json = false;
};

int run_kmeans_bench(const BenchKMeansArgs& args) {
  KMeansJob job;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(args.seed);
  job.matrix = torch::randn({args.rows, args.cols}, generator, torch::kFloat);
  job.block_size = args.block;
  job.centroids = args.centroids;
  job.iterations = args.iterations;
  job.seed = args.seed;
  job.chunk_rows = args.chunk_rows;
  job.device = resolve_device(args.device);

  auto warm_up = job;  // first-touch allocations and CUDA context outside the timing
  warm_up.iterations = 1;
  run_kmeans_job(warm_up);
  auto result = run_kmeans_job(job);
  result["bench"] = "kmeans";
  result["data"] = "standard normal, seed " + std::to_string(args.seed);
  result["threads"] = at::get_num_threads();
  if (args.json) {
    std::cout << result.dump() << "\n";
  } else {
    std::cout << describe_kmeans_result(result);
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* bench = app.add_subcommand("bench", "benchmarks of the engine's kernels");
  bench->require_subcommand(1);

  auto args = std::make_shared<BenchKMeansArgs>();
  auto* kmeans = bench->add_subcommand(
      "kmeans", "k-means on a random weight matrix: seconds per iteration and objective");
  kmeans->add_option("--rows", args->rows, "weight rows")->capture_default_str();
  kmeans->add_option("--cols", args->cols, "weight columns")->capture_default_str();
  kmeans->add_option("--block", args->block, "block size b")->capture_default_str();
  kmeans->add_option("--centroids", args->centroids, "centroids K")->capture_default_str();
  kmeans->add_option("--iters", args->iterations, "iterations")->capture_default_str();
  kmeans->add_option("--seed", args->seed, "seed of the data and of the initialisation")
      ->capture_default_str();
  kmeans->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  kmeans->add_option("--chunk-rows", args->chunk_rows,
                     "points per distance block (0: chosen for the device)");
  kmeans->add_flag("--json", args->json, "print one JSON object on stdout");
  kmeans->callback([args, &exit_code] { exit_code = run_kmeans_bench(*args); });
}

}  // namespace qn::cli
