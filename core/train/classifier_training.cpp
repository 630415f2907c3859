#include "train/classifier_training.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <chrono>
#include <cmath>

#include "train/lr_schedule.h"

namespace qn {
namespace {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(torch::nn::Module& model,
                                                        const TrainConfig& config) {
  if (config.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        model.parameters(),
        torch::optim::SGDOptions(config.lr).momentum(0.9).nesterov(true).weight_decay(
            config.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(
      model.parameters(), torch::optim::AdamOptions(config.lr).weight_decay(config.weight_decay));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, const TrainConfig& config, double lr) {
  for (auto& group : optimizer.param_groups()) {
    if (config.optimizer == "sgd") {
      static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
    } else {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
  }
}

torch::Tensor shuffled_order(int64_t size, uint64_t seed, const torch::Device& device) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randperm(size, generator, torch::kLong).to(device);
}

}  // namespace

int64_t train_classifier(torch::nn::Module& model, const Forward& forward,
                         const LabelledImages& train, const TrainConfig& config,
                         TrainingObserver* observer, const CancelToken* cancel) {
  const int64_t batches_per_epoch = (train.size() + config.batch_size - 1) / config.batch_size;
  const int64_t total_steps =
      config.max_steps > 0 ? config.max_steps : config.epochs * batches_per_epoch;
  auto optimizer = make_optimizer(model, config);
  model.train();

  int64_t step = 0;
  for (int64_t epoch = 0; step < total_steps; ++epoch) {
    const auto order =
        shuffled_order(train.size(), config.seed * 1000003 + epoch, train.images.device());
    for (int64_t start = 0; start < train.size() && step < total_steps;
         start += config.batch_size, ++step) {
      if (cancel && cancel->cancelled()) throw RunCancelled();
      const auto began = std::chrono::steady_clock::now();
      const auto rows = order.narrow(0, start, std::min(config.batch_size, train.size() - start));
      const double lr = scheduled_learning_rate(config.lr, config.schedule, config.warmup_steps,
                                                step, total_steps);
      set_learning_rate(*optimizer, config, lr);

      optimizer->zero_grad();
      const auto loss = torch::cross_entropy_loss(forward(train.images.index_select(0, rows)),
                                                  train.labels.index_select(0, rows));
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        throw RuntimeFailure("the loss became " + std::to_string(loss_value) + " at step " +
                             std::to_string(step) + "; try a lower train.lr");
      }
      loss.backward();
      if (config.clip_grad_norm > 0) {
        torch::nn::utils::clip_grad_norm_(model.parameters(), config.clip_grad_norm);
      }
      optimizer->step();

      if (observer) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        observer->on_step({step + 1, total_steps, loss_value, lr,
                           static_cast<double>(rows.numel()) / std::max(seconds, 1e-9)});
      }
    }
  }
  return step;
}

double classification_accuracy(torch::nn::Module& model, const Forward& forward,
                               const LabelledImages& data, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0;
  for (int64_t start = 0; start < data.size(); start += batch_size) {
    const int64_t rows = std::min(batch_size, data.size() - start);
    const auto predicted = forward(data.images.narrow(0, start, rows)).argmax(1);
    correct += (predicted == data.labels.narrow(0, start, rows)).sum().item<int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(data.size());
}

void recalibrate_batchnorm(torch::nn::Module& model, const Forward& forward,
                           const LabelledImages& train, int64_t batch_size, int64_t batches,
                           uint64_t seed) {
  std::vector<torch::nn::BatchNorm2dImpl*> norms;
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) norms.push_back(norm);
  }
  if (norms.empty()) return;
  // A cumulative average over the batches (momentum unset), then the usual momentum back.
  std::vector<c10::optional<double>> momenta;
  for (auto* norm : norms) {
    momenta.push_back(norm->options.momentum());
    norm->reset_running_stats();
    norm->options.momentum(c10::nullopt);
  }
  torch::NoGradGuard no_grad;
  model.train();
  const auto order = shuffled_order(train.size(), seed, train.images.device());
  for (int64_t b = 0; b < batches && b * batch_size < train.size(); ++b) {
    const auto rows =
        order.narrow(0, b * batch_size, std::min(batch_size, train.size() - b * batch_size));
    forward(train.images.index_select(0, rows));
  }
  for (size_t i = 0; i < norms.size(); ++i) norms[i]->options.momentum(momenta[i]);
  model.eval();
}

}  // namespace qn
