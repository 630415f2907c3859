#include "quant/empty_cluster_split.h"

#include <torch/types.h>

namespace qn {

int64_t split_most_populated(const torch::Tensor& points, torch::Tensor& assignments,
                             torch::Tensor& centroids, torch::Tensor& counts) {
  // Empty clusters are rare after the first iterations: a host loop over them is cheap,
  // and each split works on whole tensors.
  const auto empty = (counts == 0).nonzero().reshape({-1}).to(torch::kCPU);
  const auto* empty_ids = empty.data_ptr<int64_t>();
  int64_t filled = 0;
  for (int64_t e = 0; e < empty.numel(); ++e) {
    const int64_t target = empty_ids[e];
    const int64_t source = counts.argmax().item<int64_t>();
    const int64_t size = counts[source].item<int64_t>();
    if (size < 2) break;

    const auto members = (assignments == source).nonzero().reshape({-1});
    const auto member_points = points.index_select(0, members);
    const int64_t axis = member_points.var(0, /*unbiased=*/false).argmax().item<int64_t>();
    const auto order = member_points.select(1, axis).argsort();
    const int64_t moved = size / 2;
    const auto moving = order.narrow(0, 0, moved);
    const auto staying = order.narrow(0, moved, size - moved);

    assignments.index_fill_(0, members.index_select(0, moving), target);
    centroids[target].copy_(member_points.index_select(0, moving).mean(0));
    centroids[source].copy_(member_points.index_select(0, staying).mean(0));
    counts[target].fill_(moved);
    counts[source].fill_(size - moved);
    ++filled;
  }
  return filled;
}

}  // namespace qn
