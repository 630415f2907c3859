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
  // Weighted k-means (activation-aware PQ): a positive weight (n, d) for every coordinate
  // of every point; the distance of point x with weights h to centroid c is
  // sum_j h_j (x_j - c_j)^2, and a centroid's coordinate j is the h-weighted mean of its
  // points' coordinate j, which minimises that sum. Weights that are all equal only scale
  // the objective, so they take the unweighted path and give its result exactly.
  std::optional<torch::Tensor> weights;
  // Called after each iteration with its index (0-based) and the objective at its assignment.
  std::function<void(int iteration, double objective)> on_iteration;
  // Checked before each distance chunk, the first of each iteration included (RunCancelled);
  // nullptr: runs to the end.
  const CancelToken* cancel = nullptr;
};

struct KMeansResult {
  torch::Tensor centroids;    // (K, d) float32, on the points' device
  torch::Tensor assignments;  // (n) int64: each point's nearest centroid among `centroids`
  // Sum of (weighted) squared distances of the fitted points to their centroids at each
  // iteration's assignment. Lloyd steps and cluster splits never increase it.
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
// With options.weights, the same with the weighted distance and weighted means throughout.
// Throws InputError if K < 1, K > n, the iteration count is negative, or a weight is not
// positive and finite; RunCancelled if options.cancel fires.
KMeansResult kmeans(const torch::Tensor& points, const KMeansOptions& options);

}  // namespace qn
