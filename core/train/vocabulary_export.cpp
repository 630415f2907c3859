#include "train/vocabulary_export.h"

#include <filesystem>

#include "common/error.h"
#include "common/sha256.h"
#include "config/run_config.h"
#include "data/task_data.h"
#include "data/vocabulary.h"
#include "io/file_output.h"

namespace qn {

std::optional<VocabularyExport> export_vocabulary(const QnzFile& checkpoint, const std::string& export_path) {
  const auto config = parse_run_config(checkpoint.config);
  if (!is_language_model_task(config.task)) return std::nullopt;
  const auto recorded = checkpoint.result.is_object() ? checkpoint.result.value("vocabulary_sha256", std::string())
                                                      : std::string();
  VocabularyExport exported;
  std::vector<std::string> words;
  try {
    words = language_model_words(config);
  } catch (const InputError& error) {
    exported.problem = std::string("the vocabulary cannot be rebuilt: ") + error.what();
    return exported;
  }
  const auto text = vocabulary_file_text(words);
  exported.sha256 = sha256_hex(text);
  if (!recorded.empty() && recorded != exported.sha256) {
    exported.problem = "the corpus at data.path has changed since the run: its vocabulary (SHA-256 " +
                       exported.sha256 + ") is not the one the model learnt (" + recorded + ")";
    return exported;
  }
  exported.verified = !recorded.empty();
  exported.path = std::filesystem::path(export_path).replace_extension(".vocabulary.txt").string();
  write_file_atomically(exported.path, text);
  exported.path = std::filesystem::absolute(exported.path).lexically_normal().string();
  exported.words = static_cast<int64_t>(words.size());
  return exported;
}

}  // namespace qn
