#include "train/model_probe.h"

#include <sstream>

#include "common/error.h"
#include "data/text_inputs.h"
#include "nn/quantizable_layer.h"
#include "quant/block_layout.h"
#include "train/size_preview.h"

namespace qn {
namespace {

constexpr int64_t kProbeExamples = 2;
constexpr int64_t kProbeTokens = 8;

std::string describe(const torch::Tensor& tensor) {
  std::ostringstream text;
  text << tensor.sizes() << " " << tensor.dtype();
  return text.str();
}

// A batch's inputs as the model sees them: texts to classify are rows of token positions.
std::string describe_inputs(const Examples& batch) {
  const auto& inputs = batch.inputs;
  const bool packed_texts = batch.targets.dim() == 1 && inputs.dim() == 3 &&
                            inputs.scalar_type() == torch::kLong && inputs.size(1) == kTextInputRows;
  if (!packed_texts) return describe(inputs);
  return "input_ids and attention_mask (and token_type_ids), each " + describe(inputs.select(1, 0));
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
                     " for the task's input " + describe_inputs(batch) + "; the task needs " +
                     "floating-point logits " + wanted + " (one per " +
                     (batch.targets.dim() == 1 ? "class" : "vocabulary word") + ")");
  }
  model.module->train();
}

void check_vocabulary_fits(TaskModel& model, const TaskData& data, const std::string& tokenizer) {
  const NamedLayer* largest = nullptr;
  const auto layers = quantizable_layers(*model.module);
  for (const auto& layer : layers) {
    if (layer.layer->layer_kind() != LayerKind::Embedding) continue;
    if (!largest || layer.layer->weight().size(0) > largest->layer->weight().size(0)) largest = &layer;
  }
  if (!largest) return;  // the model reads ids some other way: its forward is the check
  const int64_t rows = largest->layer->weight().size(0);
  const int64_t needed = std::max(data.token_vocabulary, data.largest_token_id + 1);
  if (needed > rows) {
    throw InputError("tokenizer '" + tokenizer + "' gives ids up to " + std::to_string(needed - 1) +
                     " (" + std::to_string(data.token_vocabulary) + " in its vocabulary), but the " +
                     "model's largest embedding, '" + largest->name + "', has " + std::to_string(rows) +
                     " rows: the tokenizer is not this model's (data.tokenizer)");
  }
}

Examples probe_batch(const RunConfig& config) {
  if (config.task == "text-classification") {
    auto texts = torch::zeros({kProbeExamples, kTextInputRows, kProbeTokens}, torch::kLong);
    texts.select(1, 1).fill_(1);  // every position a token
    return {texts, torch::zeros({kProbeExamples}, torch::kLong)};
  }
  if (is_language_model_task(config.task)) {
    const auto tokens = torch::zeros({kProbeExamples, config.model.context}, torch::kLong);
    return {tokens, tokens};
  }
  auto shape = config.model.input.empty() ? nominal_task(config).image_shape : config.model.input;
  shape.insert(shape.begin(), kProbeExamples);
  return {torch::zeros(shape), torch::zeros({kProbeExamples}, torch::kLong)};
}

}  // namespace qn
