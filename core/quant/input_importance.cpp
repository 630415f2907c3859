#include "quant/input_importance.h"

#include "common/error.h"
#include "quant/block_layout.h"

namespace qn {
namespace {

// GPTQ's default damping, as a fraction of the mean diagonal.
constexpr double kDamping = 0.01;

torch::Tensor damped(const torch::Tensor& moments) {
  const double mean = moments.mean().item<double>();
  if (mean <= 0) return torch::ones_like(moments);
  return moments + kDamping * mean;
}

}  // namespace

torch::Tensor input_importance(const torch::Tensor& input_moments, LayerKind kind,
                               const std::vector<int64_t>& shape) {
  const auto moments = damped(input_moments.detach().to(torch::kFloat).cpu());
  const int64_t inputs = moments.numel();
  switch (kind) {
    case LayerKind::Linear:
      TORCH_CHECK(shape.size() == 2 && shape[1] == inputs, "input_importance: Linear ",
                  shape_string(shape), " with ", inputs, " input moments");
      return moments.unsqueeze(0).expand({shape[0], inputs}).contiguous();
    case LayerKind::Conv2d: {
      // weight (out, in / groups, k, k): output channel o reads the in / groups input
      // channels of its group, o / (out / groups).
      TORCH_CHECK(shape.size() == 4 && shape[1] > 0 && inputs % shape[1] == 0 &&
                      shape[0] % (inputs / shape[1]) == 0,
                  "input_importance: Conv2d ", shape_string(shape), " with ", inputs,
                  " input moments");
      const int64_t groups = inputs / shape[1];
      return moments.view({groups, 1, shape[1], 1, 1})
          .expand({groups, shape[0] / groups, shape[1], shape[2], shape[3]})
          .reshape(shape);
    }
    case LayerKind::Embedding:
      break;
  }
  throw InputError("activation-aware PQ has no input statistics for " + to_string(kind) +
                   " layers");
}

}  // namespace qn
