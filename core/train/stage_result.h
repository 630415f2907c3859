#pragma once

#include <optional>
#include <string>
#include <vector>

namespace qn {

// One stage of product quantization (iPQ's stages in order; one-shot PQ is one stage): its
// layers, the metric right after they were quantized (BatchNorm re-estimated) and after
// the stage's fine-tuning (none when there was none).
struct StageResult {
  std::vector<std::string> layers;
  double metric_after_quantization = 0;
  std::optional<double> metric_after_finetune;
  // quant.pq_objective activations: seconds spent gathering the stage's input statistics.
  double calibration_seconds = 0;
};

// The names stage metrics are reported and stored under, at step = the stage's number
// (1-based): "accuracy_after_quantization", "accuracy_after_finetune".
inline std::string after_quantization_name(const std::string& metric_name) {
  return metric_name + "_after_quantization";
}
inline std::string after_finetune_name(const std::string& metric_name) {
  return metric_name + "_after_finetune";
}
// iPQ's metric with every stage quantized and no fine-tuning, reported at step 0.
inline std::string before_finetune_name(const std::string& metric_name) {
  return metric_name + "_before_finetune";
}

}  // namespace qn
