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
}

// `count` distinct rows of `points`, drawn with `generator` on the CPU so that every device
// draws the same ones.
torch::Tensor random_rows(const torch::Tensor& points, int64_t count, at::Generator& generator) {
  const auto rows = torch::randperm(points.size(0), generator, torch::kLong)
                        .narrow(0, 0, count)
                        .to(points.device());
  return points.index_select(0, rows);
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
  const int64_t k = options.centroids;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
  const int64_t sample_size = options.max_points_per_centroid * k;
  const auto points = options.max_points_per_centroid > 0 && sample_size < all_points.size(0)
                          ? random_rows(all_points, sample_size, generator)
                          : all_points;

  KMeansResult result;
  result.points_fitted = points.size(0);
  result.centroids = initial_centroids(points, options, generator);
  for (int iteration = 0; iteration < options.iterations; ++iteration) {
    auto nearest = nearest_centroids(points, result.centroids, options.chunk_rows, options.cancel);
    result.objective.push_back(total(nearest.sq_distance));

    auto counts = torch::bincount(nearest.index, /*weights=*/{}, k);
    auto sums = torch::zeros_like(result.centroids).index_add_(0, nearest.index, points);
    const auto occupied = (counts > 0).unsqueeze(1);
    result.centroids = torch::where(
        occupied, sums / counts.clamp_min(1).unsqueeze(1).to(torch::kFloat), result.centroids);
    result.empty_clusters_resolved +=
        split_most_populated(points, nearest.index, result.centroids, counts);

    if (options.on_iteration) options.on_iteration(iteration, result.objective.back());
  }
  auto nearest =
      nearest_centroids(all_points, result.centroids, options.chunk_rows, options.cancel);
  result.final_objective = total(nearest.sq_distance);
  result.assignments = std::move(nearest.index);
  return result;
}

}  // namespace qn
