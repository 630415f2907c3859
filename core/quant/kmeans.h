#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "common/cancellation.h"

namespace qn {

struct KMeansOptions {
  int64_t centroids = 256;
  int iterations = 20;
  uint64_t seed = 0;
  int64_t chunk_rows = 0;  // nearest-centroid chunk; 0 picks one for the device
  // Fit on a random sample of at most this many points per centroid (FAISS's default is
  // 256), then assign every point; 0 fits on all points.
  int64_t max_points_per_centroid = 0;
  // Start from these centroids (K, d) instead of K points drawn at random: a codebook
  // re-fitted during training continues from the one it had.
  std::optional<torch::Tensor> initial_centroids;
  // Called after each iteration with its index (0-based) and the objective at its assignment.
  std::function<void(int iteration, double objective)> on_iteration;
  // Checked before each distance chunk, the first of each iteration included (RunCancelled);
  // nullptr: runs to the end.
  const CancelToken* cancel = nullptr;
};

struct KMeansResult {
  torch::Tensor centroids;    // (K, d) float32, on the points' device
  torch::Tensor assignments;  // (n) int64: each point's nearest centroid among `centroids`
  // Sum of squared distances of the fitted points to their centroids at each iteration's
  // assignment. Lloyd steps and cluster splits never increase it.
  std::vector<double> objective;
  // The same over all points for the returned centroids and assignments: the
  // reconstruction error.
  double final_objective = 0;
  int64_t points_fitted = 0;  // all points, or the sample's size
  int64_t empty_clusters_resolved = 0;
};

// Lloyd's k-means over the rows of `points` (n, d), on the points' device:
//  - initialisation: K distinct rows drawn with `seed` (on the CPU, so every device draws
//    the same rows), or `initial_centroids`;
//  - optionally fitted on a seeded sample (max_points_per_centroid), then all points assigned;
//  - assignment: exhaustive GEMM search (nearest_centroids);
//  - update: exact means via index_add_;
//  - empty clusters: each is filled by splitting the most populated cluster in two
//    (split_most_populated in empty_cluster_split.h). With at most K distinct points this
//    ends with every distinct point its own centroid, even from an initialisation that
//    drew copies of one point.
// Throws InputError if K < 1, K > n, or the iteration count is negative; RunCancelled if
// options.cancel fires.
KMeansResult kmeans(const torch::Tensor& points, const KMeansOptions& options);

}  // namespace qn
