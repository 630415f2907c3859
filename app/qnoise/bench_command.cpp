#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/types.h>

#include "commands.h"
#include "kmeans_job.h"

namespace qn::cli {
namespace {

struct BenchKMeansArgs {
  int64_t rows = 4096;
  int64_t cols = 1024;
  KMeansJob job;
};

int run_kmeans_bench(BenchKMeansArgs& args) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(args.job.seed);
  args.job.matrix = torch::randn({args.rows, args.cols}, generator, torch::kFloat);

  auto warm_up = args.job;  // first-touch allocations and CUDA context outside the timing
  warm_up.iterations = 1;
  run_kmeans_job(warm_up);
  auto result = run_kmeans_job(args.job);
  result["bench"] = "kmeans";
  result["data"] = "standard normal, seed " + std::to_string(args.job.seed);
  result["threads"] = at::get_num_threads();
  print_kmeans_result(args.job, result);
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
  add_kmeans_job_options(*kmeans, args->job, /*required=*/false);
  kmeans->callback([args, &exit_code] { exit_code = run_kmeans_bench(*args); });

  add_bench_noise_command(*bench, exit_code);
  add_bench_train_command(*bench, exit_code);
  add_bench_cancel_command(*bench, exit_code);
  add_bench_store_command(*bench, exit_code);
}

}  // namespace qn::cli
