#pragma once

#include <torch/types.h>

namespace qn {

// Gives every empty cluster points, by splitting the currently most populated cluster in
// two (among clusters whose points are not all equal): its points are ordered along their
// coordinate of largest variance and the lower half moves to the empty cluster; each half's
// centroid becomes its mean. Splitting a cluster
// into two parts, each at its own mean, never increases the sum of squared errors, so
// k-means stays monotone (FAISS perturbs a copied centroid instead, and can lose points).
//
// points (n, d); assignments (n) int64, updated in place; centroids (K, d), updated in place;
// counts (K) int64 = bincount(assignments), updated in place; `weights` (n, d), or undefined:
// weighted k-means's coordinate weights, under which the spread is the weighted squared
// error and each half's centroid its weighted mean (still monotone: each half's weighted
// mean minimises its weighted error). Returns how many empty clusters it filled (fewer than
// the empty ones only if no cluster has two distinct points).
int64_t split_most_populated(const torch::Tensor& points, torch::Tensor& assignments,
                             torch::Tensor& centroids, torch::Tensor& counts,
                             const torch::Tensor& weights = {});

}  // namespace qn
