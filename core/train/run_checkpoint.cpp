#include "train/run_checkpoint.h"

#include "io/checkpoint.h"

namespace qn {

nlohmann::json result_summary(const RunResult& result) {
  auto stages = nlohmann::json::array();
  for (size_t i = 0; i < result.stages.size(); ++i) {
    const auto& stage = result.stages[i];
    stages.push_back({{"stage", i + 1},
                      {"layers", stage.layers},
                      {"metric_after_quantization", stage.metric_after_quantization},
                      {"metric_after_finetune", stage.metric_after_finetune
                                                    ? nlohmann::json(*stage.metric_after_finetune)
                                                    : nlohmann::json(nullptr)}});
  }
  auto further = nlohmann::json::array();
  for (const auto& evaluation : result.further_evaluations) {
    further.push_back({{"name", evaluation.name},
                       {"metric", evaluation.metric},
                       {"float_metric", evaluation.float_metric}});
  }
  nlohmann::json summary = {
      {"metric_name", result.metric_name},
      {"metric", result.metric},
      {"float_metric", result.float_metric},
      {"evaluation_split", result.evaluation_split},
      {"size_bytes", result.size.total_bytes()},
      {"fp32_size_bytes", result.size.fp32_bytes()},
      {"compression", result.size.compression()},
      {"seconds", result.seconds},
      {"steps", result.steps},
      {"device", result.device},
      {"stages", stages},
      {"metric_before_finetune", result.metric_before_finetune
                                     ? nlohmann::json(*result.metric_before_finetune)
                                     : nlohmann::json(nullptr)},
      {"shared_training", result.shared_training},
      {"calibration_seconds", result.calibration_seconds},
      {"data_split", result.data_split},
      {"further_evaluations", further},
      {"labels", result.labels},
  };
  if (!result.vocabulary_sha256.empty()) summary["vocabulary_sha256"] = result.vocabulary_sha256;
  return summary;
}

std::string run_checkpoint(const RunConfig& config, const RunResult& result) {
  return encode_checkpoint(result.compressed, to_json(config), result_summary(result));
}

}  // namespace qn
