#include "quant/empty_cluster_split.h"

namespace qn {
namespace {

// Sum of squared distances of each cluster's points to its centroid, (K) float32.
torch::Tensor cluster_spread(const torch::Tensor& points, const torch::Tensor& assignments,
                             const torch::Tensor& centroids) {
  const auto deviation = (points - centroids.index_select(0, assignments)).pow(2).sum(1);
  return torch::zeros({centroids.size(0)}, points.options()).index_add_(0, assignments, deviation);
}

}  // namespace

int64_t split_most_populated(const torch::Tensor& points, torch::Tensor& assignments,
                             torch::Tensor& centroids, torch::Tensor& counts) {
  // Empty clusters are rare after the first iterations: a host loop over them is cheap,
  // and each split works on whole tensors.
  const auto empty = (counts == 0).nonzero().reshape({-1}).to(torch::kCPU);
  if (empty.numel() == 0) return 0;
  auto spread = cluster_spread(points, assignments, centroids);
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
    const auto moving = member_points.index_select(0, order.narrow(0, 0, moved));
    const auto staying = member_points.index_select(0, order.narrow(0, moved, size - moved));

    assignments.index_fill_(0, members.index_select(0, order.narrow(0, 0, moved)), target);
    centroids[target].copy_(moving.mean(0));
    centroids[source].copy_(staying.mean(0));
    counts[target].fill_(moved);
    counts[source].fill_(size - moved);
    spread[target].fill_((moving - centroids[target]).pow(2).sum());
    spread[source].fill_((staying - centroids[source]).pow(2).sum());
    ++filled;
  }
  return filled;
}

}  // namespace qn
