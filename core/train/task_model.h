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

// Builds config.model.arch for `data` (image shape and classes, or vocabulary) on `device`.
TaskModel make_task_model(const RunConfig& config, const TaskData& data,
                          const torch::Device& device);

// Copies every parameter and buffer of `from` into the same-named one of `to` (a model of
// the same architecture and options): the distillation teacher starts as the trained model.
void copy_model_state(torch::nn::Module& from, torch::nn::Module& to);

}  // namespace qn
