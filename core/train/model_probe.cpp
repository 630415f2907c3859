#include "train/model_probe.h"

#include <sstream>

#include "common/error.h"
#include "quant/block_layout.h"
#include "train/size_preview.h"

namespace qn {
namespace {

constexpr int64_t kProbeExamples = 2;

std::string describe(const torch::Tensor& tensor) {
  std::ostringstream text;
  text << tensor.sizes() << " " << tensor.dtype();
  return text.str();
}

}  // namespace

void check_model_output(TaskModel& model, const Examples& batch, int64_t classes,
                        const std::string& model_file) {
  torch::NoGradGuard no_grad;
  model.module->eval();
  const auto logits = model.forward(batch.inputs);
  auto expected = batch.targets.sizes().vec();
  expected.push_back(classes);
  const bool fits =
      logits.dim() == static_cast<int64_t>(expected.size()) &&
      std::equal(expected.begin(), expected.end() - 1, logits.sizes().begin()) &&
      (classes == 0 || logits.size(-1) == classes) && logits.is_floating_point();
  if (!fits) {
    const std::string wanted = classes == 0 ? shape_string({expected.begin(), expected.end() - 1}) +
                                                  " followed by the vocabulary"
                                            : shape_string(expected);
    throw InputError("model '" + model_file + "' returns " + describe(logits) +
                     " for the task's input " + describe(batch.inputs) + "; the task needs " +
                     "floating-point logits " + wanted + " (one per " +
                     (batch.targets.dim() == 1 ? "class" : "vocabulary word") + ")");
  }
  model.module->train();
}

Examples probe_batch(const RunConfig& config) {
  if (is_text_task(config.task)) {
    const auto tokens = torch::zeros({kProbeExamples, config.model.context}, torch::kLong);
    return {tokens, tokens};
  }
  auto shape = config.model.input.empty() ? nominal_task(config).image_shape : config.model.input;
  shape.insert(shape.begin(), kProbeExamples);
  return {torch::zeros(shape), torch::zeros({kProbeExamples}, torch::kLong)};
}

}  // namespace qn
