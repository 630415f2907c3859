#pragma once

#include <torch/nn/module.h>

#include <functional>

#include "config/run_config.h"
#include "data/examples.h"
#include "train/training_events.h"

namespace qn {

class DataParallel;

// A model's forward pass: inputs to logits (N, classes) or (N, T, vocabulary).
using Forward = std::function<torch::Tensor(const torch::Tensor&)>;

// The training loss of one batch from its logits; by default cross-entropy against the
// batch's targets (distillation adds a term).
using LossFunction = std::function<torch::Tensor(const torch::Tensor& logits, const Examples&)>;

// Cross-entropy averaged over every target (each label, or each token).
torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets);

// Minibatch training: Adam or SGD with Nesterov momentum, warmup then decay, optional
// gradient clipping, rows shuffled by `config.seed` each epoch. Stops after
// `config.max_steps` if set, else after `config.epochs`. Reports every step to `observer`
// (examples/s counts targets: images, or tokens), checks `cancel` every step
// (RunCancelled), and stops with a RuntimeFailure naming the step if the loss is not
// finite. Returns the steps taken.
//
// With `parallel`, this process is one rank of a data-parallel group and every rank calls
// this alike: each step's global batch (the same rows on every rank) is split between the
// ranks, each weighs its loss by its share of the rows, and the gradients are summed
// before the step, so the step is the single-process step on the same global batch up to
// BatchNorm (its batch statistics are each rank's own rows). The loss reported is the
// global one; BatchNorm's running statistics end as the ranks' mean.
int64_t train_model(torch::nn::Module& model, const Forward& forward, const Examples& train,
                    const TrainConfig& config, TrainingObserver* observer,
                    const CancelToken* cancel, const LossFunction& loss = {},
                    DataParallel* parallel = nullptr);

}  // namespace qn
