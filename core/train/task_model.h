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

// For a torchscript config: makes model.path absolute and records the file's SHA-256 in
// model.sha256 (a recorded hash must match the file). What every run stores, so that it
// names the file it trained from; called where runs are queued or recorded (enqueue_run,
// enqueue_sweep, `qnoise train`). Other configs are left as they are.
void pin_model_file(RunConfig& config);

// Where a checkpoint's torchscript model file is looked for (`qnoise eval`, `qnoise export
// --format torchscript`): the file `given` (--model) when set; else model.path as the run
// recorded it, if it is there; else a file of that name in the folder `beside` (the
// checkpoint's). model.sha256 then decides whether the file found is the one the run
// trained from (make_task_model).
struct ModelFileSearch {
  std::string given;
  std::string beside;
};
// Points model.path of a torchscript config at the file `search` finds; an InputError
// naming the places looked in when there is none.
void locate_model_file(RunConfig& config, const ModelFileSearch& search);

// Builds config.model.arch for `data` (image shape and classes, or vocabulary) on `device`.
// A model of more than kMaxModelParameters is an InputError naming the model keys. A
// torchscript model is loaded from model.path (its own weights: the starting point), and
// refused, naming the file, when model.sha256 is set and the file's hash differs.
TaskModel make_task_model(const RunConfig& config, const TaskData& data,
                          const torch::Device& device);

// Copies every parameter and buffer of `from` into the same-named one of `to` (a model of
// the same architecture and options): the distillation teacher starts as the trained model.
void copy_model_state(torch::nn::Module& from, torch::nn::Module& to);

}  // namespace qn
