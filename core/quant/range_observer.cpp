#include "quant/range_observer.h"

#include <torch/types.h>

#include "common/error.h"
#include "quant/histogram_range.h"

namespace qn {

RangeObserver parse_range_observer(const std::string& name) {
  if (name == "minmax") return RangeObserver::MinMax;
  if (name == "channel") return RangeObserver::Channel;
  if (name == "histogram") return RangeObserver::Histogram;
  throw InputError("unknown observer '" + name + "' (expected minmax, channel or histogram)");
}

std::string to_string(RangeObserver observer) {
  switch (observer) {
    case RangeObserver::MinMax:
      return "minmax";
    case RangeObserver::Channel:
      return "channel";
    case RangeObserver::Histogram:
      return "histogram";
  }
  return "?";
}

AffineParams observe_range(const torch::Tensor& weight, int bits, RangeObserver observer) {
  check_int_bits(bits);
  if (weight.numel() == 0) throw InputError("cannot quantize an empty tensor");
  const auto w = weight.detach().to(torch::kFloat);
  switch (observer) {
    case RangeObserver::MinMax:
      return affine_params_from_range(w.min().reshape({1}), w.max().reshape({1}), bits, false);
    case RangeObserver::Channel: {
      const auto rows = w.reshape({w.size(0), -1});
      return affine_params_from_range(std::get<0>(rows.min(1)), std::get<0>(rows.max(1)), bits,
                                      true);
    }
    case RangeObserver::Histogram: {
      const auto [lo, hi] = mse_optimal_range(w, bits);
      const auto options = w.options();
      return affine_params_from_range(torch::full({1}, lo, options), torch::full({1}, hi, options),
                                      bits, false);
    }
  }
  TORCH_CHECK(false, "unhandled range observer");
}

}  // namespace qn
