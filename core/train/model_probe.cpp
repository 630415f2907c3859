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
  // A language model scores every word of its own vocabulary: it may have more words than
  // the corpus's (the ids QNStudio gives them are below the corpus's count), never fewer.
  const bool language_model = batch.targets.dim() > 1;
  const bool enough_outputs = classes == 0 || (language_model ? logits.size(-1) >= classes
                                                              : logits.size(-1) == classes);
  const bool fits = logits.dim() == static_cast<int64_t>(expected.size()) &&
                    std::equal(expected.begin(), expected.end() - 1, logits.sizes().begin()) &&
                    enough_outputs && logits.is_floating_point();
  if (!fits) {
    const auto positions = shape_string({expected.begin(), expected.end() - 1});
    const std::string wanted =
        classes == 0 ? positions + " followed by the vocabulary"
        : language_model
            ? positions + " followed by at least " + std::to_string(classes) +
                  " (the corpus's vocabulary; data.vocabulary_cap caps it)"
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
