#include "train/trained_model.h"

#include <ATen/core/Dict.h>
#include <torch/serialize.h>

#include <map>

#include "common/error.h"

namespace qn {
namespace {

std::map<std::string, torch::Tensor> named_state(torch::nn::Module& model) {
  std::map<std::string, torch::Tensor> state;
  for (const auto& item : model.named_parameters()) state.emplace(item.key(), item.value());
  for (const auto& item : model.named_buffers()) state.emplace(item.key(), item.value());
  return state;
}

}  // namespace

std::string save_model_state(torch::nn::Module& model) {
  c10::Dict<std::string, at::Tensor> state;
  for (const auto& [name, tensor] : named_state(model)) {
    state.insert(name, tensor.detach().to(torch::kCPU).contiguous());
  }
  const auto bytes = torch::pickle_save(state);
  return {bytes.begin(), bytes.end()};
}

void load_model_state(torch::nn::Module& model, const std::string& state) {
  const auto saved = torch::pickle_load(std::vector<char>(state.begin(), state.end())).toGenericDict();
  auto tensors = named_state(model);
  if (saved.size() != tensors.size()) {
    throw InputError("a kept trained model holds " + std::to_string(saved.size()) +
                     " tensors; this model has " + std::to_string(tensors.size()));
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : tensors) {
    const auto found = saved.find(name);
    if (found == saved.end()) throw InputError("a kept trained model has no tensor '" + name + "'");
    const auto value = found->value().toTensor();
    if (value.sizes() != tensor.sizes()) {
      throw InputError("a kept trained model's tensor '" + name + "' has another shape");
    }
    tensor.detach().copy_(value);  // into the model's own storage, never replacing it
  }
}

void TrainingLog::on_step(const StepEvent& event) {
  events_.emplace_back(event);
  if (next_) next_->on_step(event);
}

void TrainingLog::on_eval(const EvalEvent& event) {
  events_.emplace_back(event);
  if (next_) next_->on_eval(event);
}

void TrainingLog::on_stage(const std::string& stage) {
  if (next_) next_->on_stage(stage);
}

nlohmann::json TrainingLog::to_json() const {
  auto json = nlohmann::json::array();
  for (const auto& event : events_) {
    if (const auto* step = std::get_if<StepEvent>(&event)) {
      json.push_back({{"step", step->step},
                      {"total_steps", step->total_steps},
                      {"loss", step->loss},
                      {"lr", step->lr},
                      {"examples_per_second", step->examples_per_second}});
    } else {
      const auto& eval = std::get<EvalEvent>(event);
      json.push_back({{"step", eval.step}, {"metric_name", eval.metric_name}, {"metric", eval.metric}});
    }
  }
  return json;
}

TrainingLog TrainingLog::from_json(const nlohmann::json& json) {
  TrainingLog log;
  try {
    for (const auto& event : json) {
      if (event.contains("metric_name")) {
        log.events_.emplace_back(EvalEvent{event.at("step").get<int64_t>(),
                                           event.at("metric_name").get<std::string>(),
                                           event.at("metric").get<double>()});
      } else {
        log.events_.emplace_back(StepEvent{
            event.at("step").get<int64_t>(), event.at("total_steps").get<int64_t>(),
            event.at("loss").get<double>(), event.at("lr").get<double>(),
            event.at("examples_per_second").get<double>()});
      }
    }
  } catch (const nlohmann::json::exception& error) {
    throw InputError(std::string("a kept training log is malformed: ") + error.what());
  }
  return log;
}

void TrainingLog::replay(TrainingObserver& observer) const {
  for (const auto& event : events_) {
    if (const auto* step = std::get_if<StepEvent>(&event)) {
      observer.on_step(*step);
    } else {
      observer.on_eval(std::get<EvalEvent>(event));
    }
  }
}

}  // namespace qn
