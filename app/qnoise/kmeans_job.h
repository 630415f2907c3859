#pragma once

#include <nlohmann/json.hpp>
#include <torch/types.h>

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
  torch::Device device = torch::kCPU;
};

// The CLI contract's keys (objective, seconds, iters, empty_clusters_resolved) and more.
nlohmann::json run_kmeans_job(const KMeansJob& job);

// A short human-readable summary of run_kmeans_job's result.
std::string describe_kmeans_result(const nlohmann::json& result);

}  // namespace qn::cli
