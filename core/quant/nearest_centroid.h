#pragma once

#include <torch/types.h>

#include "common/cancellation.h"

namespace qn {

struct NearestCentroids {
  torch::Tensor index;        // (n) int64: the nearest centroid of each point
  torch::Tensor sq_distance;  // (n) float32: its squared distance, >= 0
};

// Exhaustive nearest-centroid search through GEMM, as FAISS does for small dimensions:
//   |x - c|^2 = |x|^2 - 2 x.c + |c|^2,
// where the argmin over c needs only -2 x.c + |c|^2, one addmm per chunk of points. Chunks
// bound the (chunk x K) distance block in memory: `chunk_rows` points at a time, or, when 0,
// a size chosen for the device (cache-sized on the CPU, large on CUDA). The same code runs
// on CPU and CUDA tensors. points (n, d) and centroids (K, d) are float32 on one device.
// `cancel` is checked before each chunk (RunCancelled): one search over a large layer can
// take seconds on the CPU.
NearestCentroids nearest_centroids(const torch::Tensor& points, const torch::Tensor& centroids,
                                   int64_t chunk_rows = 0, const CancelToken* cancel = nullptr);

// The same under a weighted distance, sum_j h_ij (x_ij - c_j)^2, with a weight (n, d) for
// every coordinate of every point: two GEMMs a chunk, as
//   sum_j h_ij x_ij^2 - 2 (h_i * x_i).c + h_i.(c * c).
NearestCentroids nearest_centroids(const torch::Tensor& points, const torch::Tensor& weights,
                                   const torch::Tensor& centroids, int64_t chunk_rows = 0,
                                   const CancelToken* cancel = nullptr);

// The chunk size used when none is given.
int64_t default_chunk_rows(const torch::Device& device, int64_t centroid_count);

}  // namespace qn
