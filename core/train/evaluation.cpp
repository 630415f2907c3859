#include "train/evaluation.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "common/error.h"
#include "nn/batchnorm_statistics.h"

namespace qn {

double Evaluation::perplexity() const { return std::exp(mean_cross_entropy); }

double Evaluation::metric(const std::string& name) const {
  if (name == "accuracy") return accuracy;
  if (name == "perplexity") return perplexity();
  throw InputError("unknown metric '" + name + "'");
}

Evaluation evaluate(torch::nn::Module& model, const Forward& forward, const Examples& data,
                    const CancelToken* cancel, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  double loss_sum = 0;
  int64_t correct = 0, targets = 0;
  const auto rows_from = [&](int64_t start) {
    return torch::arange(start, std::min(start + batch_size, data.size()), torch::kLong);
  };
  if (data.streamed()) data.prefetch(rows_from(0));
  for (int64_t start = 0; start < data.size(); start += batch_size) {
    throw_if_cancelled(cancel);
    const auto batch = data.slice(start, std::min(batch_size, data.size() - start));
    // A streamed set makes the next batch while this one is scored.
    if (data.streamed() && start + batch_size < data.size()) data.prefetch(rows_from(start + batch_size));
    const auto logits = forward(batch.inputs);
    const auto flat_logits = logits.reshape({-1, logits.size(-1)});
    const auto flat_targets = batch.targets.reshape(-1);
    loss_sum += torch::cross_entropy_loss(flat_logits, flat_targets, {},
                                          at::Reduction::Sum)
                    .item<double>();
    correct += (flat_logits.argmax(1) == flat_targets).sum().item<int64_t>();
    targets += flat_targets.numel();
  }
  if (targets == 0) throw InputError("cannot evaluate on an empty data set");
  return {loss_sum / static_cast<double>(targets),
          static_cast<double>(correct) / static_cast<double>(targets)};
}

void recalibrate_batchnorm(torch::nn::Module& model, const Forward& forward, const Examples& train,
                           int64_t batch_size, int64_t batches, uint64_t seed,
                           const CancelToken* cancel) {
  if (!has_batchnorm(model)) return;
  throw_if_cancelled(cancel);  // before the statistics are reset: cancelled, nothing changes
  BatchNormEstimate estimate(model);
  torch::NoGradGuard no_grad;
  model.train();
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto order =
      torch::randperm(train.size(), generator, torch::kLong).to(train.rows_device());
  for (int64_t b = 0; b < batches && b * batch_size < train.size(); ++b) {
    const auto rows =
        order.narrow(0, b * batch_size, std::min(batch_size, train.size() - b * batch_size));
    estimate.before_batch();
    forward(train.rows(rows).inputs);
    estimate.after_batch();
    throw_if_cancelled(cancel);
  }
  estimate.finish();
  model.eval();
}

}  // namespace qn
