#pragma once

#include <cstdint>

namespace qn {

// Bits a code needs to name one of K centroids: ceil(log2 K) (0 for K = 1). Free of
// LibTorch: the .qnz reader uses it too.
constexpr int code_bits_for(int64_t centroid_count) {
  int bits = 0;
  while ((int64_t{1} << bits) < centroid_count) ++bits;
  return bits;
}

}  // namespace qn
