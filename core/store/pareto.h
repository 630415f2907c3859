#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace qn {

struct ParetoPoint {
  int64_t size_bytes = 0;
  double metric = 0;
};

// Indices of the points no other point dominates, by increasing size. A point dominates
// another if it is no larger and no worse, and smaller or better; the metric is better when
// higher (accuracy) or, with `lower_is_better`, when lower (perplexity). Points that tie
// exactly are all on the front. O(n log n).
std::vector<std::size_t> pareto_front(const std::vector<ParetoPoint>& points, bool lower_is_better);

}  // namespace qn
