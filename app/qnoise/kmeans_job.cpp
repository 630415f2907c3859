#include "kmeans_job.h"

#include <torch/types.h>

#include <chrono>
#include <cstdio>

#include "common/runtime.h"
#include "progress.h"
#include "quant/block_layout.h"

namespace qn::cli {

nlohmann::json run_kmeans_job(const KMeansJob& job) {
  const auto shape = job.matrix.sizes().vec();
  const BlockLayout layout({"input", LayerKind::Linear}, shape, job.block_size);
  const auto blocks = layout.to_blocks(job.matrix).to(job.device).contiguous();

  Progress progress("k-means", job.iterations);
  KMeansOptions options;
  options.centroids = job.centroids;
  options.iterations = job.iterations;
  options.seed = job.seed;
  options.chunk_rows = job.chunk_rows;
  options.on_iteration = [&](int iteration, double objective) {
    char status[64];
    std::snprintf(status, sizeof status, "objective %.6g", objective);
    progress.update(iteration + 1, status);
  };

  const auto start = std::chrono::steady_clock::now();
  const auto result = kmeans(blocks, options);  // ends with a host read: the device is synced
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  return {
      {"objective", result.final_objective()},
      {"seconds", seconds},
      {"seconds_per_iter", job.iterations > 0 ? seconds / job.iterations : 0.0},
      {"iters", job.iterations},
      {"empty_clusters_resolved", result.empty_clusters_resolved},
      {"objective_per_iter", result.objective},
      {"rows", shape[0]},
      {"cols", shape[1]},
      {"block", job.block_size},
      {"blocks", layout.block_count()},
      {"centroids", job.centroids},
      {"seed", job.seed},
      {"device", describe_device(job.device)},
  };
}

std::string describe_kmeans_result(const nlohmann::json& result) {
  char text[512];
  std::snprintf(text, sizeof text,
                "k-means: %lld blocks of %lld, K = %lld, %d iterations on %s\n"
                "  objective (SSE)          %.8g\n"
                "  seconds                  %.3f (%.4f per iteration)\n"
                "  empty clusters resolved  %lld\n",
                result["blocks"].get<long long>(), result["block"].get<long long>(),
                result["centroids"].get<long long>(), result["iters"].get<int>(),
                result["device"].get<std::string>().c_str(), result["objective"].get<double>(),
                result["seconds"].get<double>(), result["seconds_per_iter"].get<double>(),
                result["empty_clusters_resolved"].get<long long>());
  return text;
}

}  // namespace qn::cli
