#include "quant/kmeans.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/types.h>

#include <string>

#include "common/error.h"
#include "quant/empty_cluster_split.h"
#include "quant/nearest_centroid.h"

namespace qn {
namespace {

void check_options(const torch::Tensor& points, const KMeansOptions& options) {
  if (points.dim() != 2) throw InputError("k-means expects a 2-D tensor of points");
  const int64_t n = points.size(0);
  const int64_t k = options.centroids;
  if (k < 1 || k > n) {
    throw InputError("k-means cannot place " + std::to_string(k) + " centroids among " +
                     std::to_string(n) + " points (K must be between 1 and the point count)");
  }
  if (options.iterations < 0) throw InputError("k-means iterations must be >= 0");
  if (options.max_points_per_centroid < 0) {
    throw InputError("k-means max points per centroid must be >= 0 (0: all points)");
  }
  if (options.initial_centroids) {
    const auto& init = *options.initial_centroids;
    if (init.dim() != 2 || init.size(0) != k || init.size(1) != points.size(1)) {
      throw InputError("k-means initial centroids must have shape (" + std::to_string(k) + ", " +
                       std::to_string(points.size(1)) + ")");
    }
  }
  if (options.weights) {
    const auto& weights = *options.weights;
    if (weights.sizes() != points.sizes()) {
      throw InputError("k-means weights must have the points' shape (one a coordinate)");
    }
    if (!(weights > 0).logical_and(weights.isfinite()).all().item<bool>()) {
      throw InputError("k-means weights must be positive and finite");
    }
  }
}

// The weights k-means uses: undefined when there are none or all are equal (a constant
// weight scales every distance alike, so it changes no assignment and no mean).
torch::Tensor effective_weights(const KMeansOptions& options) {
  if (!options.weights) return {};
  const auto weights = options.weights->detach().to(torch::kFloat).contiguous();
  return (weights == weights.flatten()[0]).all().item<bool>() ? torch::Tensor() : weights;
}

NearestCentroids nearest(const torch::Tensor& points, const torch::Tensor& weights,
                         const torch::Tensor& centroids, const KMeansOptions& options) {
  return weights.defined()
             ? nearest_centroids(points, weights, centroids, options.chunk_rows, options.cancel)
             : nearest_centroids(points, centroids, options.chunk_rows, options.cancel);
}

// Lloyd's update: each occupied cluster's centroid becomes its points' mean (weighted: the
// h-weighted mean coordinate by coordinate, sum_i h_ij x_ij / sum_i h_ij); an empty one
// keeps its centroid until split_most_populated fills it.
torch::Tensor updated_centroids(const torch::Tensor& points, const torch::Tensor& weights,
                                const torch::Tensor& assignments, const torch::Tensor& counts,
                                const torch::Tensor& centroids) {
  const auto occupied = (counts > 0).unsqueeze(1);
  if (!weights.defined()) {
    auto sums = torch::zeros_like(centroids).index_add_(0, assignments, points);
    return torch::where(occupied, sums / counts.clamp_min(1).unsqueeze(1).to(torch::kFloat),
                        centroids);
  }
  auto sums = torch::zeros_like(centroids).index_add_(0, assignments, points * weights);
  auto mass = torch::zeros_like(centroids).index_add_(0, assignments, weights);
  return torch::where(occupied, sums / mass, centroids);  // an empty cluster's 0/0 is not taken
}

// `count` distinct indices below `n`, drawn with `generator` on the CPU so that every device
// draws the same ones.
torch::Tensor sample_rows(int64_t n, int64_t count, at::Generator& generator) {
  return torch::randperm(n, generator, torch::kLong).narrow(0, 0, count);
}

torch::Tensor random_rows(const torch::Tensor& points, int64_t count, at::Generator& generator) {
  return points.index_select(0, sample_rows(points.size(0), count, generator).to(points.device()));
}

torch::Tensor initial_centroids(const torch::Tensor& points, const KMeansOptions& options,
                                at::Generator& generator) {
  if (options.initial_centroids) {
    return options.initial_centroids->to(points.device(), torch::kFloat).clone();
  }
  return random_rows(points, options.centroids, generator).clone();
}

double total(const torch::Tensor& sq_distance) {
  return sq_distance.sum(torch::kDouble).item<double>();
}

}  // namespace

KMeansResult kmeans(const torch::Tensor& input, const KMeansOptions& options) {
  check_options(input, options);
  const auto all_points = input.detach().to(torch::kFloat).contiguous();
  const auto all_weights = effective_weights(options);
  const int64_t k = options.centroids;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  const int64_t sample_size = options.max_points_per_centroid * k;
  const bool sampled = options.max_points_per_centroid > 0 && sample_size < all_points.size(0);
  const auto sample = sampled ? sample_rows(all_points.size(0), sample_size, generator)
                              : torch::Tensor();
  const auto points = sampled ? all_points.index_select(0, sample.to(all_points.device()))
                              : all_points;
  const auto weights = sampled && all_weights.defined()
                           ? all_weights.index_select(0, sample.to(all_points.device()))
                           : all_weights;

  KMeansResult result;
  result.points_fitted = points.size(0);
  result.centroids = initial_centroids(points, options, generator);
  for (int iteration = 0; iteration < options.iterations; ++iteration) {
    auto assigned = nearest(points, weights, result.centroids, options);
    result.objective.push_back(total(assigned.sq_distance));

    auto counts = torch::bincount(assigned.index, /*weights=*/{}, k);
    result.centroids =
        updated_centroids(points, weights, assigned.index, counts, result.centroids);
    result.empty_clusters_resolved +=
        split_most_populated(points, assigned.index, result.centroids, counts, weights);

    if (options.on_iteration) options.on_iteration(iteration, result.objective.back());
  }
  auto assigned = nearest(all_points, all_weights, result.centroids, options);
  result.final_objective = total(assigned.sq_distance);
  result.assignments = std::move(assigned.index);
  return result;
}

}  // namespace qn
