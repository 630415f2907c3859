#include "nn/batchnorm_statistics.h"

#include <torch/nn/modules/batchnorm.h>

#include <memory>

#include "nn/scripted_model.h"

namespace qn {
namespace {

// torch::nn::BatchNorm2d averages by itself once its momentum is unset.
BatchNormEstimate::Layer cumulative_average(torch::nn::BatchNorm2dImpl& norm) {
  const auto momentum = norm.options.momentum();
  norm.reset_running_stats();
  norm.options.momentum(c10::nullopt);
  return {[] {}, [] {}, [&norm, momentum] { norm.options.momentum(momentum); }};
}

// A TorchScript BatchNorm blends a batch's statistics s in as r = (1 - f) r + f s, with f
// its momentum or, when that is None, 1 / num_batches_tracked: with r and the counter zeroed
// before the batch, s = r / f afterwards.
BatchNormEstimate::Layer averaged_batches(ScriptedBatchNormImpl& norm) {
  struct Sums {
    torch::Tensor mean, var;
    int64_t batches = 0;
  };
  auto sums = std::make_shared<Sums>();
  sums->mean = torch::zeros_like(norm.running_mean());
  sums->var = torch::zeros_like(norm.running_var());
  const double factor = norm.momentum().value_or(1.0);
  const auto before = [&norm] {
    norm.running_mean().zero_();
    norm.running_var().zero_();
    if (norm.num_batches_tracked().defined()) norm.num_batches_tracked().zero_();
  };
  const auto after = [&norm, sums, factor] {
    sums->mean += norm.running_mean() / factor;
    sums->var += norm.running_var() / factor;
    ++sums->batches;
  };
  const auto finish = [&norm, sums] {
    if (sums->batches == 0) return;
    norm.running_mean().copy_(sums->mean / static_cast<double>(sums->batches));
    norm.running_var().copy_(sums->var / static_cast<double>(sums->batches));
    if (norm.num_batches_tracked().defined()) norm.num_batches_tracked().fill_(sums->batches);
  };
  return {before, after, finish};
}

bool tracks_statistics(ScriptedBatchNormImpl& norm) {
  return norm.running_mean().defined() && norm.running_var().defined();
}

}  // namespace

BatchNormEstimate::BatchNormEstimate(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) {
      layers_.push_back(cumulative_average(*norm));
    } else if (auto* scripted = dynamic_cast<ScriptedBatchNormImpl*>(module.get())) {
      if (tracks_statistics(*scripted)) layers_.push_back(averaged_batches(*scripted));
    }
  }
}

void BatchNormEstimate::before_batch() {
  torch::NoGradGuard no_grad;
  for (auto& layer : layers_) layer.before_batch();
}

void BatchNormEstimate::after_batch() {
  torch::NoGradGuard no_grad;
  for (auto& layer : layers_) layer.after_batch();
}

void BatchNormEstimate::finish() {
  torch::NoGradGuard no_grad;
  for (auto& layer : layers_) layer.finish();
}

bool has_batchnorm(torch::nn::Module& model) {
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) return true;
    auto* scripted = dynamic_cast<ScriptedBatchNormImpl*>(module.get());
    if (scripted && tracks_statistics(*scripted)) return true;
  }
  return false;
}

}  // namespace qn
