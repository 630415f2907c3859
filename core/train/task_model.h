#pragma once

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "data/task_data.h"
#include "train/trainer.h"

namespace qn {

// The model a run trains, behind the one interface the pipeline needs.
struct TaskModel {
  std::shared_ptr<torch::nn::Module> module;
  Forward forward;
  // iPQ's default stages for this architecture (regular expressions over layer names);
  // empty: by depth, one stage a parent module.
  std::vector<std::string> default_ipq_stages;
  // Prunes to model.keep_layers after training (LayerDrop); nothing for other models.
  std::function<void()> prune;
};

// The most parameters make_task_model builds (4 GB in fp32): a config asking for more is
// refused before anything is allocated, so that a mistyped width, or the config of a
// crafted checkpoint, cannot exhaust memory.
constexpr double kMaxModelParameters = 1e9;

// A lower bound on the parameter count of config.model.arch for `data`'s shapes (its
// largest weights), computed without building anything.
double minimum_parameter_count(const RunConfig& config, const TaskData& data);

// Builds config.model.arch for `data` (image shape and classes, or vocabulary) on `device`.
// A model of more than kMaxModelParameters is an InputError naming the model keys.
TaskModel make_task_model(const RunConfig& config, const TaskData& data,
                          const torch::Device& device);

// Copies every parameter and buffer of `from` into the same-named one of `to` (a model of
// the same architecture and options): the distillation teacher starts as the trained model.
void copy_model_state(torch::nn::Module& from, torch::nn::Module& to);

}  // namespace qn
