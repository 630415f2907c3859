#include "train/mixed_precision.h"

#include <ATen/autocast_mode.h>
#include <ATen/ops/_amp_foreach_non_finite_check_and_unscale.h>
#include <ATen/ops/_amp_update_scale.h>
#include <torch/version.h>

#include "common/error.h"

namespace qn {
namespace {

// LibTorch 2.4 replaced autocast's per-backend functions by ones taking the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocast_enabled(bool cuda) { return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU); }
void set_autocast(bool cuda, bool on) { at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, on); }
at::ScalarType autocast_dtype(bool cuda) { return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU); }
void set_autocast_dtype(bool cuda, at::ScalarType dtype) {
  at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, dtype);
}
#else
bool autocast_enabled(bool cuda) { return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
void set_autocast(bool cuda, bool on) { cuda ? at::autocast::set_enabled(on) : at::autocast::set_cpu_enabled(on); }
at::ScalarType autocast_dtype(bool cuda) {
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void set_autocast_dtype(bool cuda, at::ScalarType dtype) {
  cuda ? at::autocast::set_autocast_gpu_dtype(dtype) : at::autocast::set_autocast_cpu_dtype(dtype);
}
#endif

}  // namespace

void check_precision(const std::string& precision, const torch::Device& device) {
  if (precision == "fp16" && !device.is_cuda()) {
    throw InputError("train.precision fp16 needs a CUDA device: LibTorch's CPU autocast computes in "
                     "bfloat16 only (train.precision bf16 runs on the CPU)");
  }
}

AutocastScope::AutocastScope(const std::string& precision, const torch::Device& device)
    : active_(precision != "fp32"), cuda_(device.is_cuda()) {
  if (!active_) return;
  was_enabled_ = autocast_enabled(cuda_);
  previous_dtype_ = autocast_dtype(cuda_);
  set_autocast_dtype(cuda_, precision == "fp16" ? at::kHalf : at::kBFloat16);
  set_autocast(cuda_, true);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Casts are cached while autocast is on (a weight used twice is cast once); the cache
  // holds tensors of this step's graph, so it goes when the outermost scope ends.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(cuda_, was_enabled_);
  set_autocast_dtype(cuda_, previous_dtype_);
}

LossScaler::LossScaler(bool enabled, Options options) : enabled_(enabled), options_(options) {}

torch::Tensor LossScaler::scale(const torch::Tensor& loss) {
  if (!enabled_) return loss;
  if (!scale_.defined()) {
    const auto on = torch::TensorOptions().device(loss.device());
    scale_ = torch::full({1}, options_.initial_scale, on.dtype(torch::kFloat));
    growth_tracker_ = torch::zeros({1}, on.dtype(torch::kInt));
    found_inf_ = torch::zeros({1}, on.dtype(torch::kFloat));
  }
  return loss * scale_.to(loss.scalar_type());
}

bool LossScaler::unscale(const std::vector<torch::Tensor>& parameters) {
  if (!enabled_ || !scale_.defined()) return true;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> gradients;
  for (const auto& parameter : parameters) {
    if (parameter.grad().defined()) gradients.push_back(parameter.grad());
  }
  found_inf_.zero_();
  const auto inverse = scale_.reciprocal();
  if (scale_.is_cuda()) {
    at::_amp_foreach_non_finite_check_and_unscale_(gradients, found_inf_, inverse);
  } else {
    for (auto& gradient : gradients) {
      found_inf_.logical_or_(gradient.isfinite().logical_not().any());
      gradient.mul_(inverse.to(gradient.scalar_type()));
    }
  }
  const bool finite = found_inf_.item<float>() == 0.0f;  // the one host sync, as GradScaler's
  skipped_ += finite ? 0 : 1;
  return finite;
}

void LossScaler::update() {
  if (!enabled_ || !scale_.defined()) return;
  if (scale_.is_cuda()) {
    at::_amp_update_scale_(scale_, growth_tracker_, found_inf_, options_.growth_factor,
                           options_.backoff_factor, options_.growth_interval);
    return;
  }
  if (found_inf_.item<float>() != 0.0f) {
    scale_.mul_(options_.backoff_factor);
    growth_tracker_.zero_();
  } else if (growth_tracker_.item<int>() + 1 == options_.growth_interval) {
    scale_.mul_(options_.growth_factor);
    growth_tracker_.zero_();
  } else {
    growth_tracker_.add_(1);
  }
}

double LossScaler::current_scale() const {
  return scale_.defined() ? scale_.item<double>() : (enabled_ ? options_.initial_scale : 1.0);
}

}  // namespace qn
