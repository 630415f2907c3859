#include <iostream>

#include "commands.h"
#include "common/runtime.h"
#include "kmeans_job.h"
#include "matrix_file.h"

namespace qn::cli {
namespace {

struct KMeansArgs {
  std::string input;
  std::string shape;
  int64_t block = 0;
  int64_t centroids = 0;
  int iterations = 0;
  uint64_t seed = 0;
  std::string device = "auto";
  int64_t chunk_rows = 0;
  bool json = false;
};

int run(const KMeansArgs& args) {
  const auto [rows, cols] = parse_matrix_shape(args.shape);
  KMeansJob job;
  job.matrix = read_f32_matrix(args.input, rows, cols);
  job.block_size = args.block;
  job.centroids = args.centroids;
  job.iterations = args.iterations;
  job.seed = args.seed;
  job.chunk_rows = args.chunk_rows;
  job.device = resolve_device(args.device);
  const auto result = run_kmeans_job(job);
  if (args.json) {
    std::cout << result.dump() << "\n";
  } else {
    std::cout << describe_kmeans_result(result);
  }
  return 0;
}

}  // namespace

void add_kmeans_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<KMeansArgs>();
  auto* command = app.add_subcommand(
      "kmeans", "k-means over the blocks of a float32 matrix split as a Linear weight");
  command->add_option("--input", args->input, "raw little-endian float32 matrix, row-major")
      ->required();
  command->add_option("--shape", args->shape, "ROWSxCOLS, e.g. 4096x1024")->required();
  command->add_option("--block", args->block, "block size b (divides COLS)")->required();
  command->add_option("--centroids", args->centroids, "number of centroids K")->required();
  command->add_option("--iters", args->iterations, "k-means iterations")->required()
      ->check(CLI::NonNegativeNumber);
  command->add_option("--seed", args->seed, "seed of the initial centroids")->capture_default_str();
  command->add_option("--device", args->device, "auto, cpu or cuda")->capture_default_str();
  command->add_option("--chunk-rows", args->chunk_rows,
                      "points per distance block (0: chosen for the device)");
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
