#include "quant/empty_cluster_split.h"

namespace qn {
namespace {

// Each point's squared error to `centroid_of_point` (n, d), weighted if `weights` is defined.
torch::Tensor squared_error(const torch::Tensor& points, const torch::Tensor& centroid_of_point,
                            const torch::Tensor& weights) {
  const auto deviation = (points - centroid_of_point).pow(2);
  return (weights.defined() ? deviation * weights : deviation).sum(1);
}

// The centroid of `points` (m, d): their mean, or their weighted mean coordinate by coordinate.
torch::Tensor centroid_of(const torch::Tensor& points, const torch::Tensor& weights) {
  if (!weights.defined()) return points.mean(0);
  return (points * weights).sum(0) / weights.sum(0);
}

// Sum of squared errors of each cluster's points to its centroid, (K) float32.
torch::Tensor cluster_spread(const torch::Tensor& points, const torch::Tensor& assignments,
                             const torch::Tensor& centroids, const torch::Tensor& weights) {
  const auto error = squared_error(points, centroids.index_select(0, assignments), weights);
  return torch::zeros({centroids.size(0)}, points.options()).index_add_(0, assignments, error);
}

torch::Tensor rows_of(const torch::Tensor& tensor, const torch::Tensor& rows) {
  return tensor.defined() ? tensor.index_select(0, rows) : tensor;
}

}  // namespace

int64_t split_most_populated(const torch::Tensor& points, torch::Tensor& assignments,
                             torch::Tensor& centroids, torch::Tensor& counts,
                             const torch::Tensor& weights) {
  // Empty clusters are rare after the first iterations: a host loop over them is cheap,
  // and each split works on whole tensors.
  const auto empty = (counts == 0).nonzero().reshape({-1}).to(torch::kCPU);
  if (empty.numel() == 0) return 0;
  auto spread = cluster_spread(points, assignments, centroids, weights);
  const auto* empty_ids = empty.data_ptr<int64_t>();
  int64_t filled = 0;
  for (int64_t e = 0; e < empty.numel(); ++e) {
    // Only a cluster whose points differ can be split usefully: halving a pile of copies
    // of one point leaves two equal centroids, one of which empties again.
    const auto splittable = torch::where(spread > 0, counts, torch::full_like(counts, -1));
    const int64_t source = splittable.argmax().item<int64_t>();
    const int64_t size = splittable[source].item<int64_t>();
    if (size < 2) break;
    const int64_t target = empty_ids[e];

    const auto members = (assignments == source).nonzero().reshape({-1});
    const auto member_points = points.index_select(0, members);
    const int64_t axis = member_points.var(0, /*unbiased=*/false).argmax().item<int64_t>();
    const auto order = member_points.select(1, axis).argsort();
    const int64_t moved = size / 2;
    const auto moving_rows = order.narrow(0, 0, moved);
    const auto staying_rows = order.narrow(0, moved, size - moved);
    const auto member_weights = rows_of(weights, members);
    const auto moving = member_points.index_select(0, moving_rows);
    const auto staying = member_points.index_select(0, staying_rows);
    const auto moving_weights = rows_of(member_weights, moving_rows);
    const auto staying_weights = rows_of(member_weights, staying_rows);

    assignments.index_fill_(0, members.index_select(0, moving_rows), target);
    centroids[target].copy_(centroid_of(moving, moving_weights));
    centroids[source].copy_(centroid_of(staying, staying_weights));
    counts[target].fill_(moved);
    counts[source].fill_(size - moved);
    spread[target].fill_(squared_error(moving, centroids[target], moving_weights).sum());
    spread[source].fill_(squared_error(staying, centroids[source], staying_weights).sum());
    ++filled;
  }
  return filled;
}

}  // namespace qn
