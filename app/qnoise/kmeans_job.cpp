#include "kmeans_job.h"

#include <torch/types.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "common/runtime.h"
#include "progress.h"
#include "quant/block_layout.h"

namespace qn::cli {

nlohmann::json run_kmeans_job(const KMeansJob& job) {
  const auto shape = job.matrix.sizes().vec();
  const BlockLayout layout({"input", LayerKind::Linear}, shape, job.block_size);
  const auto device = resolve_device(job.device);
  const auto blocks = layout.to_blocks(job.matrix).to(device).contiguous();

  Progress progress("k-means", job.iterations);
  KMeansOptions options;
  options.centroids = job.centroids;
  options.iterations = job.iterations;
  options.seed = job.seed;
  options.chunk_rows = job.chunk_rows;
  options.max_points_per_centroid = job.max_points_per_centroid;
  options.on_iteration = [&](int iteration, double objective) {
    char status[64];
    std::snprintf(status, sizeof status, "objective %.6g", objective);
    progress.update(iteration + 1, status);
  };

  const auto start = std::chrono::steady_clock::now();
  const auto result = kmeans(blocks, options);  // ends with a host read: the device is synced
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  return {
      {"objective", result.final_objective},
      {"seconds", seconds},
      {"seconds_per_iter", job.iterations > 0 ? seconds / job.iterations : 0.0},
      {"iters", job.iterations},
      {"empty_clusters_resolved", result.empty_clusters_resolved},
      {"objective_per_iter", result.objective},
      {"rows", shape[0]},
      {"cols", shape[1]},
      {"block", job.block_size},
      {"blocks", layout.block_count()},
      {"blocks_fitted", result.points_fitted},
      {"centroids", job.centroids},
      {"seed", job.seed},
      {"device", describe_device(device)},
  };
}

void add_kmeans_job_options(CLI::App& command, KMeansJob& job, bool required) {
  auto problem = [&](CLI::Option* option) {
    return required ? option->required() : option->capture_default_str();
  };
  problem(command.add_option("--block", job.block_size, "block size b (divides the columns)"));
  problem(command.add_option("--centroids", job.centroids, "number of centroids K"));
  problem(command.add_option("--iters", job.iterations, "k-means iterations"))
      ->check(CLI::NonNegativeNumber);
  command.add_option("--seed", job.seed, "seed of the initial centroids")->capture_default_str();
  command.add_option("--device", job.device, "auto, cpu or cuda")->capture_default_str();
  command.add_option("--chunk-rows", job.chunk_rows,
                     "points per distance block (0: chosen for the device)");
  command.add_option("--max-points-per-centroid", job.max_points_per_centroid,
                     "fit on a sample of this many blocks per centroid (0: all blocks)");
  command.add_flag("--json", job.json, "print one JSON object on stdout");
}

void print_kmeans_result(const KMeansJob& job, const nlohmann::json& result) {
  if (job.json) {
    std::cout << result.dump() << "\n";
    return;
  }
  std::printf(
      "k-means: %lld blocks of %lld (%lld fitted), K = %lld, %d iterations on %s\n"
      "  objective (SSE)          %.8g\n"
      "  seconds                  %.3f (%.4f per iteration)\n"
      "  empty clusters resolved  %lld\n",
      result["blocks"].get<long long>(), result["block"].get<long long>(),
      result["blocks_fitted"].get<long long>(), result["centroids"].get<long long>(),
      result["iters"].get<int>(), result["device"].get<std::string>().c_str(),
      result["objective"].get<double>(), result["seconds"].get<double>(),
      result["seconds_per_iter"].get<double>(), result["empty_clusters_resolved"].get<long long>());
}

}  // namespace qn::cli
