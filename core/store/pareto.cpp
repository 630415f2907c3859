#include "store/pareto.h"

#include <algorithm>
#include <numeric>

namespace qn {

std::vector<std::size_t> pareto_front(const std::vector<ParetoPoint>& points, bool lower_is_better) {
  // In "higher is better" terms throughout.
  auto quality = [&](size_t i) { return lower_is_better ? -points[i].metric : points[i].metric; };
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  // By size, then best first: a point is on the front iff it beats every smaller point,
  // or ties exactly with the last point kept.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (points[a].size_bytes != points[b].size_bytes) {
      return points[a].size_bytes < points[b].size_bytes;
    }
    return quality(a) > quality(b);
  });
  std::vector<size_t> front;
  for (const size_t i : order) {
    if (front.empty() || quality(i) > quality(front.back())) {
      front.push_back(i);
    } else if (quality(i) == quality(front.back()) &&
               points[i].size_bytes == points[front.back()].size_bytes) {
      front.push_back(i);
    }
  }
  return front;
}

}  // namespace qn
