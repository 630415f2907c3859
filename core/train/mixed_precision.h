#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

namespace qn {

// train.precision, what the training forward computes in (Micikevicius et al. 2018, "Mixed
// precision training"): "fp32"; "fp16" (autocast, with a LossScaler); "bf16" (autocast,
// bfloat16's range needs no scaling). The parameters, the optimizer and the evaluation
// stay fp32: the stored metric is the exported model's.

// Refuses, before any step, a precision the device cannot autocast in: LibTorch's CPU
// autocast computes in bfloat16 only, so fp16 needs CUDA.
void check_precision(const std::string& precision, const torch::Device& device);

// Autocast over a forward and its loss, as `with torch.autocast(device, dtype)`: matrix
// products and convolutions in fp16 or bf16, reductions and losses in fp32. Nothing for
// fp32. Restores the state it found.
class AutocastScope {
 public:
  AutocastScope(const std::string& precision, const torch::Device& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool was_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kFloat;
};

// fp16's loss scaling, as PyTorch's GradScaler (scale 2^16 to start, x2 after 2000 steps
// without an inf or NaN gradient, x0.5 and the step skipped at one). On CUDA it calls the
// ATen operators GradScaler calls (_amp_foreach_non_finite_check_and_unscale_,
// _amp_update_scale_: one kernel each, no host sync but the skip decision); LibTorch 1.13 has
// them for CUDA only, so on the CPU (tests) the same arithmetic runs as tensor operations.
class LossScaler {
 public:
  struct Options {
    double initial_scale = 65536.0;
    double growth_factor = 2.0;
    double backoff_factor = 0.5;
    int64_t growth_interval = 2000;
  };
  explicit LossScaler(bool enabled, Options options);
  explicit LossScaler(bool enabled) : LossScaler(enabled, Options{}) {}

  // The loss to call backward() on: multiplied by the scale when enabled.
  torch::Tensor scale(const torch::Tensor& loss);
  // Divides the gradients of `parameters` by the scale (before clipping) and records
  // whether any is inf or NaN. Returns whether the optimizer may step.
  bool unscale(const std::vector<torch::Tensor>& parameters);
  // After the step (or its skipping): the next scale.
  void update();

  bool enabled() const { return enabled_; }
  double current_scale() const;
  int64_t skipped_steps() const { return skipped_; }

 private:
  bool enabled_;
  Options options_;
  torch::Tensor scale_;           // (1) float, on the gradients' device
  torch::Tensor growth_tracker_;  // (1) int32: finite steps since the last change
  torch::Tensor found_inf_;       // (1) float: 1 when this step's gradients held inf or NaN
  int64_t skipped_ = 0;
};

}  // namespace qn
