#include <ATen/CPUGeneratorImpl.h>
#include <torch/types.h>

#include <algorithm>

#include "bench/resident_memory.h"
#include "commands.h"
#include "common/runtime.h"
#include "kmeans_job.h"
#include "quant/nearest_centroid.h"
#include "timing_bench.h"

namespace qn::cli {
namespace {

struct BenchKMeansArgs {
  int64_t rows = 4096;
  int64_t cols = 1024;
  KMeansJob job;
  TimingBenchArgs timing;
};

// The resident memory one k-means (of --iters iterations) takes, measured first in this
// fresh process (memory the allocator kept from an earlier run would hide it): the peak
// above the process as it was before the weight existed, against the goal of twice the
// weight plus one distance chunk. What the libraries take once a process (OpenBLAS's
// buffers, the OpenMP team's stacks: 24 MiB here) is left out by a k-means on a tiny
// matrix before the start is read; the twins do the same (experiments/bench/twin.py).
nlohmann::json kmeans_peak_memory(const BenchKMeansArgs& args, const int64_t before_weight) {
  const auto& job = args.job;
  reset_peak_resident_memory();
  run_kmeans_job(job);
  const int64_t weight_bytes = job.matrix.numel() * int64_t(sizeof(float));
  const int64_t chunk_rows = job.chunk_rows > 0
                                 ? job.chunk_rows
                                 : default_chunk_rows(resolve_device(job.device), job.centroids);
  const int64_t chunk_bytes = chunk_rows * job.centroids * int64_t(sizeof(float));
  const int64_t peak = peak_resident_bytes() - before_weight;
  return {{"weight_bytes", weight_bytes},
          {"distance_chunk_bytes", chunk_bytes},
          {"peak_above_start_bytes", peak},
          {"goal_bytes", 2 * weight_bytes + chunk_bytes},
          {"within_goal", peak <= 2 * weight_bytes + chunk_bytes}};
}

void warm_up_libraries(const KMeansJob& job) {
  auto tiny = job;
  tiny.matrix = torch::randn({64, 8 * job.block_size});
  tiny.centroids = std::min<int64_t>(job.centroids, 64 * 8);
  tiny.iterations = 1;
  run_kmeans_job(tiny);
}

int run_kmeans_bench(BenchKMeansArgs& args) {
  warm_up_libraries(args.job);
  const int64_t before_weight = resident_bytes();
  auto generator = at::make_generator<at::CPUGeneratorImpl>(args.job.seed);
  args.job.matrix = torch::randn({args.rows, args.cols}, generator, torch::kFloat);
  const auto memory = kmeans_peak_memory(args, before_weight);

  const std::vector<BenchVariant> variants = {{"k-means", [&args](int64_t steps) {
                                                 auto job = args.job;
                                                 job.iterations = int(steps);
                                                 return run_kmeans_job(job)["seconds_per_iter"]
                                                     .get<double>();
                                               }}};
  const nlohmann::json setup = {{"bench", "kmeans"},          {"rows", args.rows},
                                {"cols", args.cols},          {"block", args.job.block_size},
                                {"centroids", args.job.centroids}, {"seed", args.job.seed},
                                {"device", args.job.device}};
  auto result = run_timing_bench(variants, args.timing, setup);
  result.update(setup);
  result["data"] = "standard normal, seed " + std::to_string(args.job.seed);
  result["memory"] = memory;
  const auto mib = [](const nlohmann::json& bytes) { return bytes.get<double>() / (1 << 20); };
  print_timing_bench(
      "k-means on a " + std::to_string(args.rows) + "x" + std::to_string(args.cols) +
          " weight, blocks of " + std::to_string(args.job.block_size) + ", K = " +
          std::to_string(args.job.centroids) + ", a step = one iteration",
      result, args.timing.json);
  if (!args.timing.json) {
    std::printf("peak resident memory of a k-means: %.1f MiB above the process before the weight "
                "(weight %.1f MiB, distance chunk %.1f MiB, goal %.1f MiB: %s)\n",
                mib(memory["peak_above_start_bytes"]), mib(memory["weight_bytes"]),
                mib(memory["distance_chunk_bytes"]), mib(memory["goal_bytes"]),
                memory["within_goal"].get<bool>() ? "met" : "missed");
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* bench = app.add_subcommand("bench", "benchmarks of the engine's kernels");
  bench->require_subcommand(1);

  auto args = std::make_shared<BenchKMeansArgs>();
  args->timing.schedule = {/*warmup_steps=*/1, /*steps_per_block=*/3, /*blocks=*/10, /*seed=*/0};
  auto* kmeans = bench->add_subcommand(
      "kmeans", "k-means on a random weight matrix: seconds per iteration and peak memory");
  kmeans->add_option("--rows", args->rows, "weight rows")->capture_default_str();
  kmeans->add_option("--cols", args->cols, "weight columns")->capture_default_str();
  add_kmeans_job_options(*kmeans, args->job, /*required=*/false);
  kmeans->get_option("--iters")->description(
      "iterations of the k-means whose peak memory is measured (a timed block runs "
      "--steps-per-block iterations)");
  add_timing_bench_options(*kmeans, args->timing);
  kmeans->callback([args, &exit_code] {
    args->timing.json = args->job.json;
    exit_code = run_kmeans_bench(*args);
  });

  add_bench_noise_command(*bench, exit_code);
  add_bench_train_command(*bench, exit_code);
  add_bench_memory_command(*bench, exit_code);
  add_bench_cancel_command(*bench, exit_code);
  add_bench_store_command(*bench, exit_code);
  add_bench_loader_command(*bench, exit_code);
  add_bench_infer_command(*bench, exit_code);
}

}  // namespace qn::cli
