#include "train/evaluation.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/batchnorm.h>

#include <cmath>

#include "common/error.h"

namespace qn {
namespace {

std::vector<torch::nn::BatchNorm2dImpl*> batchnorm_layers(torch::nn::Module& model) {
  std::vector<torch::nn::BatchNorm2dImpl*> norms;
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) norms.push_back(norm);
  }
  return norms;
}

}  // namespace

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
  for (int64_t start = 0; start < data.size(); start += batch_size) {
    throw_if_cancelled(cancel);
    const auto batch = data.slice(start, std::min(batch_size, data.size() - start));
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

bool has_batchnorm(torch::nn::Module& model) { return !batchnorm_layers(model).empty(); }

void recalibrate_batchnorm(torch::nn::Module& model, const Forward& forward, const Examples& train,
                           int64_t batch_size, int64_t batches, uint64_t seed,
                           const CancelToken* cancel) {
  const auto norms = batchnorm_layers(model);
  if (norms.empty()) return;
  throw_if_cancelled(cancel);  // before the statistics are reset: cancelled, nothing changes
  // A cumulative average over the batches (momentum unset), then the usual momentum back.
  std::vector<c10::optional<double>> momenta;
  for (auto* norm : norms) {
    momenta.push_back(norm->options.momentum());
    norm->reset_running_stats();
    norm->options.momentum(c10::nullopt);
  }
  torch::NoGradGuard no_grad;
  model.train();
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto order =
      torch::randperm(train.size(), generator, torch::kLong).to(train.inputs.device());
  for (int64_t b = 0; b < batches && b * batch_size < train.size(); ++b) {
    const auto rows =
        order.narrow(0, b * batch_size, std::min(batch_size, train.size() - b * batch_size));
    forward(train.inputs.index_select(0, rows));
    throw_if_cancelled(cancel);
  }
  for (size_t i = 0; i < norms.size(); ++i) norms[i]->options.momentum(momenta[i]);
  model.eval();
}

}  // namespace qn
