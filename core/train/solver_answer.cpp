#include "train/solver_answer.h"

#include "common/error.h"

namespace qn {
namespace {

template <class T>
T required(const nlohmann::json& json, const char* key) {
  if (!json.contains(key)) throw InputError("qnoise solve's answer has no '" + std::string(key) + "'");
  try {
    return json.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw InputError("qnoise solve's answer has '" + std::string(key) + "' of the wrong type: " +
                     json.at(key).dump());
  }
}

template <class T>
std::optional<T> optional_value(const nlohmann::json& json, const char* key) {
  if (!json.contains(key) || json.at(key).is_null()) return std::nullopt;
  return required<T>(json, key);
}

}  // namespace

SolverAnswer solver_answer(const MixedPlan& plan, const SensitivityTable& table) {
  SolverAnswer answer;
  answer.target_bytes = plan.target_bytes;
  answer.predicted_bytes = plan.predicted_bytes;
  answer.predicted_metric = plan.predicted_metric;
  answer.predicted_drop = plan.predicted_drop;
  answer.metric_name = table.metric_name;
  answer.baseline_metric = table.baseline_metric;
  answer.smallest_bytes = plan.smallest_bytes;
  answer.fp32_size_bytes = plan.fp32_bytes;
  answer.sensitivity_table_id = table.id;
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    answer.layers.push_back({plan.layers[i],
                             plan.choices[i] ? std::optional(plan.choices[i]->name) : std::nullopt,
                             plan.storages[i], plan.drops[i]});
  }
  answer.config = plan.config;
  return answer;
}

nlohmann::json to_json(const SolverAnswer& answer) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : answer.layers) {
    layers.push_back({{"layer", layer.layer},
                      {"candidate", layer.candidate ? nlohmann::json(*layer.candidate) : nlohmann::json(nullptr)},
                      {"storage", layer.storage},
                      {"metric_drop", layer.metric_drop}});
  }
  return {{"target_bytes", answer.target_bytes},
          {"predicted_bytes", answer.predicted_bytes},
          {"predicted_metric", answer.predicted_metric},
          {"predicted_drop", answer.predicted_drop},
          {"metric_name", answer.metric_name},
          {"baseline_metric", answer.baseline_metric},
          {"smallest_bytes", answer.smallest_bytes},
          {"fp32_size_bytes", answer.fp32_size_bytes},
          {"sensitivity_table_id", answer.sensitivity_table_id ? nlohmann::json(*answer.sensitivity_table_id)
                                                               : nlohmann::json(nullptr)},
          {"layers", layers},
          {"config", to_json(answer.config)}};
}

SolverAnswer parse_solver_answer(const nlohmann::json& json) {
  SolverAnswer answer;
  answer.target_bytes = required<int64_t>(json, "target_bytes");
  answer.predicted_bytes = required<int64_t>(json, "predicted_bytes");
  answer.predicted_metric = required<double>(json, "predicted_metric");
  answer.predicted_drop = required<double>(json, "predicted_drop");
  answer.metric_name = required<std::string>(json, "metric_name");
  answer.baseline_metric = required<double>(json, "baseline_metric");
  answer.smallest_bytes = required<int64_t>(json, "smallest_bytes");
  answer.fp32_size_bytes = required<int64_t>(json, "fp32_size_bytes");
  answer.sensitivity_table_id = optional_value<int64_t>(json, "sensitivity_table_id");
  for (const auto& layer : required<nlohmann::json>(json, "layers")) {
    answer.layers.push_back({required<std::string>(layer, "layer"),
                             optional_value<std::string>(layer, "candidate"),
                             required<std::string>(layer, "storage"),
                             required<double>(layer, "metric_drop")});
  }
  answer.config = parse_run_config(required<nlohmann::json>(json, "config"));
  return answer;
}

}  // namespace qn
