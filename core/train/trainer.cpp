#include "train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>

#include <chrono>
#include <cmath>

#include "common/error.h"
#include "distributed/data_parallel.h"
#include "train/lr_schedule.h"
#include "train/mixed_precision.h"

namespace qn {
namespace {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(torch::nn::Module& model,
                                                        const TrainConfig& config) {
  std::vector<torch::Tensor> trainable;
  for (const auto& parameter : model.parameters()) {
    if (parameter.requires_grad()) trainable.push_back(parameter);
  }
  if (config.optimizer == "sgd") {
    return std::make_unique<torch::optim::SGD>(
        trainable,
        torch::optim::SGDOptions(config.lr).momentum(0.9).nesterov(true).weight_decay(
            config.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(
      trainable, torch::optim::AdamOptions(config.lr).weight_decay(config.weight_decay));
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

// Batches a streamed set is asked to make ahead of the one training: decoding overlaps the
// step, and a slow image does not stall the batch after it.
constexpr int64_t kBatchesAhead = 2;

torch::Tensor shuffled_order(int64_t size, uint64_t seed, const torch::Device& device) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randperm(size, generator, torch::kLong).to(device);
}

}  // namespace

torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets) {
  return torch::cross_entropy_loss(logits.reshape({-1, logits.size(-1)}), targets.reshape(-1));
}

int64_t train_model(torch::nn::Module& model, const Forward& forward, const Examples& train,
                    const TrainConfig& config, TrainingObserver* observer,
                    const CancelToken* cancel, const LossFunction& loss_function,
                    DataParallel* parallel) {
  const int64_t batches_per_epoch = (train.size() + config.batch_size - 1) / config.batch_size;
  const int64_t total_steps =
      config.max_steps > 0 ? config.max_steps : config.epochs * batches_per_epoch;
  auto optimizer = make_optimizer(model, config);
  if (parallel) parallel->broadcast_state(model);
  model.train();
  const auto device = model.parameters().front().device();
  check_precision(config.precision, device);
  LossScaler scaler(config.precision == "fp16");

  int64_t step = 0;
  for (int64_t epoch = 0; step < total_steps; ++epoch) {
    const auto order =
        shuffled_order(train.size(), config.seed * 1000003 + epoch, train.rows_device());
    // This rank's rows of the epoch's batch at `start`: all of them, or its share.
    const auto rows_at = [&](int64_t start) {
      const auto rows = order.narrow(0, start, std::min(config.batch_size, train.size() - start));
      const auto [begin, end] =
          parallel ? parallel->share_of(rows.size(0)) : std::pair<int64_t, int64_t>{0, rows.size(0)};
      return std::make_tuple(rows.narrow(0, begin, end - begin), rows.size(0));
    };
    // A streamed set makes the batches ahead while the present one trains.
    for (int64_t ahead = 0; ahead < kBatchesAhead && ahead * config.batch_size < train.size(); ++ahead) {
      train.prefetch(std::get<0>(rows_at(ahead * config.batch_size)));
    }
    for (int64_t start = 0; start < train.size() && step < total_steps;
         start += config.batch_size, ++step) {
      throw_if_cancelled(cancel);
      const auto began = std::chrono::steady_clock::now();
      const auto [share, global_rows] = rows_at(start);
      const auto batch = train.rows(share);
      const int64_t next = start + kBatchesAhead * config.batch_size;
      if (next < train.size()) train.prefetch(std::get<0>(rows_at(next)));
      const double lr = scheduled_learning_rate(config.lr, config.schedule, config.warmup_steps,
                                                step, total_steps);
      set_learning_rate(*optimizer, config, lr);

      optimizer->zero_grad();
      // Every rank runs the forward pass, even on no rows, so that every rank draws the
      // step's noise masks alike.
      torch::Tensor loss;
      {
        const AutocastScope autocast(config.precision, device);
        const auto logits = forward(batch.inputs);
        loss = share.numel() == 0 ? logits.sum() * 0
               : loss_function ? loss_function(logits, batch)
                               : cross_entropy(logits, batch.targets);
      }
      loss = loss.to(torch::kFloat);
      double loss_value = 0;
      double targets = static_cast<double>(batch.targets.numel());
      if (parallel) {
        loss = loss * (static_cast<double>(share.numel()) / static_cast<double>(global_rows));
        const auto global =
            parallel->sum(torch::tensor({loss.item<double>(), targets}, torch::kDouble));
        loss_value = global[0].item<double>();
        targets = global[1].item<double>();
      } else {
        loss_value = loss.item<double>();
      }
      if (!std::isfinite(loss_value)) {
        throw RuntimeFailure("the loss became " + std::to_string(loss_value) + " at step " +
                             std::to_string(step) + "; try a lower train.lr");
      }
      scaler.scale(loss).backward();
      if (parallel) parallel->sum_gradients(model);
      // fp16: gradients unscaled before clipping; a step whose gradients overflowed is skipped.
      if (scaler.unscale(model.parameters())) {
        if (config.clip_grad_norm > 0) {
          torch::nn::utils::clip_grad_norm_(model.parameters(), config.clip_grad_norm);
        }
        optimizer->step();
      }
      scaler.update();

      if (observer) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        observer->on_step({step + 1, total_steps, loss_value, lr, targets / std::max(seconds, 1e-9)});
      }
    }
  }
  if (parallel) parallel->average_buffers(model);
  return step;
}

}  // namespace qn
