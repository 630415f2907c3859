#pragma once

#include <torch/types.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "quant/kmeans.h"

namespace qn::cli {

// k-means over a matrix split into blocks as a Linear weight is (BlockLayout), timed: what
// `qnoise kmeans` and `qnoise bench kmeans` share.
struct KMeansJob {
  torch::Tensor matrix;  // (rows, cols) float32, on the CPU
  int64_t block_size = 8;
  int64_t centroids = 256;
  int iterations = 20;
  uint64_t seed = 0;
  int64_t chunk_rows = 0;
  int64_t max_points_per_centroid = 0;  // 0: fit on all blocks
  std::string device = "auto";
  bool json = false;
};

// The options both commands share: --block --centroids --iters --seed --device
// --chunk-rows --max-points-per-centroid --json. `required`: the problem options
// (block, centroids, iters) must be given, rather than defaulting to the benchmark's.
void add_kmeans_job_options(CLI::App& command, KMeansJob& job, bool required);

// The CLI contract's keys (objective, seconds, iters, empty_clusters_resolved) and more.
nlohmann::json run_kmeans_job(const KMeansJob& job);

// Prints the result: the JSON object with --json, else a short human-readable summary.
void print_kmeans_result(const KMeansJob& job, const nlohmann::json& result);

}  // namespace qn::cli
