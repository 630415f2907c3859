#pragma once

#include <torch/nn/module.h>

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "train/training_events.h"

namespace qn {

// Every parameter and buffer of `model` by name, bit for bit (a pickled dict, as
// torch.save writes it).
std::string save_model_state(torch::nn::Module& model);
// Copies a saved state into `model`'s own tensors (shared tensors stay shared, as a
// TorchScript model's are). A state of another model (a missing, extra or misshapen
// tensor) is an InputError naming the tensor.
void load_model_state(torch::nn::Module& model, const std::string& state);

// The step and evaluation events of one training, in order, passed on to `next` as they
// come; replayed later to another observer for a run whose training was shared.
class TrainingLog final : public TrainingObserver {
 public:
  explicit TrainingLog(TrainingObserver* next = nullptr) : next_(next) {}

  void on_step(const StepEvent& event) override;
  void on_eval(const EvalEvent& event) override;
  void on_stage(const std::string& stage) override;

  nlohmann::json to_json() const;
  // A log written by to_json; a malformed one is an InputError.
  static TrainingLog from_json(const nlohmann::json& json);
  void replay(TrainingObserver& observer) const;

 private:
  TrainingObserver* next_;
  std::vector<std::variant<StepEvent, EvalEvent>> events_;
};

}  // namespace qn
