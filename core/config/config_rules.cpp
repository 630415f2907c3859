#include "config/config_rules.h"

#include "common/error.h"

namespace qn::config_rules {
namespace {

// More decoder threads than any machine has cores is a typo, not a setting (each is a thread).
constexpr int64_t kMaxDecoderThreads = 1024;

// The image-folder task's transform, normalisation and loader settings.
void validate_image_data(const DataConfig& data) {
  require_one_of("data.transform", data.transform, {"stretch", "torchvision"});
  require_one_of("data.resampling", data.resampling, {"bilinear", "bicubic"});
  require_one_of("data.normalize", data.normalize, {"dataset", "imagenet", "explicit"});
  if (data.normalize == "explicit") {
    require(data.mean.size() == 3 && data.deviation.size() == 3, "data.mean/data.std",
            "must hold 3 numbers each (red, green, blue) with data.normalize explicit");
  } else {
    require(data.mean.empty() && data.deviation.empty(), "data.mean/data.std",
            "are read only with data.normalize explicit");
  }
  for (const double deviation : data.deviation) require(deviation > 0, "data.std", "must be positive");
  require(data.resize_side == 0 || data.resize_side >= data.image_size, "data.resize_side",
          "must be 0 (data.image_size / 0.875) or at least data.image_size (the centre crop's side)");
  if (data.transform == "stretch") {  // a key that changes nothing must not change the hash
    require(data.resize_side == 0 && data.resampling == "bilinear", "data.resize_side/data.resampling",
            "are read only with data.transform torchvision (the stretch resizes bilinearly, whole)");
  }
  require(data.workers >= 0 && data.workers <= kMaxDecoderThreads, "data.workers",
          "must be 0 to " + std::to_string(kMaxDecoderThreads) + " (0: the cores LibTorch's threads leave)");
  require(data.cache_mb >= 1, "data.cache_mb", "must be at least 1");
}

// The text-classification task's tables, columns and tokenizer; read by it alone, so that
// another task's config hash cannot change with them.
void validate_text_classification_data(const std::string& task, const DataConfig& data) {
  if (task != "text-classification") {
    const DataConfig defaults;
    require(data.eval_paths.empty() && data.text_columns.empty() && data.labels.empty() &&
                data.tokenizer.empty() && data.label_column == defaults.label_column &&
                data.max_tokens == defaults.max_tokens,
            "data.eval_paths/text_columns/label_column/labels/tokenizer/max_tokens",
            "are read only by task text-classification");
    return;
  }
  require(!data.path.empty(), "data.path", "must name the training table (a .tsv, .csv or .jsonl file)");
  require(!data.eval_paths.empty(), "data.eval_paths", "must name at least one evaluation table");
  require(data.text_columns.size() == 1 || data.text_columns.size() == 2, "data.text_columns",
          "must name one column (a text) or two (a pair), e.g. [\"sentence1\", \"sentence2\"]");
  for (const auto& column : data.text_columns) require(!column.empty(), "data.text_columns", "must not hold an empty name");
  require(!data.label_column.empty(), "data.label_column", "must name the label's column");
  require(!data.tokenizer.empty(), "data.tokenizer",
          "must name the model's tokenizer (a folder with vocab.json and merges.txt, or vocab.txt)");
  require(data.max_tokens >= 1 && data.max_tokens <= 65536, "data.max_tokens", "must be 1 to 65536");
}

}  // namespace

void require_one_of(const std::string& key, const std::string& value,
                    const std::vector<std::string>& allowed) {
  for (const auto& option : allowed) {
    if (value == option) return;
  }
  std::string list;
  for (const auto& option : allowed) list += (list.empty() ? "" : ", ") + option;
  throw InputError("config key '" + key + "' is '" + value + "'; expected one of: " + list);
}

void require(bool condition, const std::string& key, const std::string& rule) {
  if (!condition) throw InputError("config key '" + key + "' " + rule);
}

void validate_data_section(const std::string& task, const DataConfig& data) {
  validate_image_data(data);
  validate_text_classification_data(task, data);
}

}  // namespace qn::config_rules
