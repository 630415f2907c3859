#include "quant/compressed_tensor.h"

#include <functional>
#include <numeric>

namespace qn {

int64_t CompressedTensor::numel() const {
  const auto dims = shape();
  return std::accumulate(dims.begin(), dims.end(), int64_t{1}, std::multiplies<>());
}

}  // namespace qn
