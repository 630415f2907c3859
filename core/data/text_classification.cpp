#include "data/text_classification.h"

#include <filesystem>

#include "common/bounded_memo.h"
#include "common/error.h"
#include "data/encoded_texts.h"
#include "data/text_table.h"
#include "data/tokenizer.h"

namespace qn {
namespace {

struct EncodedTable {
  std::shared_ptr<const EncodedTexts> texts;
  torch::Tensor labels;
  std::vector<std::string> label_names;
  int64_t vocabulary = 0;  // the tokenizer's
};

// What makes a file's ids: its identity on disk, and every setting that reads it.
std::string file_identity(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const auto size = fs::file_size(path, error);
  const auto time = fs::last_write_time(path, error).time_since_epoch().count();
  return fs::absolute(path).lexically_normal().string() + "|" + std::to_string(size) + "|" +
         std::to_string(time);
}

std::string tokenizer_identity(const std::string& path) {
  namespace fs = std::filesystem;
  const auto folder = fs::is_directory(path) ? fs::path(path) : fs::path(path).parent_path();
  std::string identity = file_identity(path);
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.is_regular_file()) identity += ";" + file_identity(entry.path().string());
  }
  return identity;
}

std::string table_key(const std::string& path, const DataConfig& data,
                      const std::vector<std::string>& labels) {
  std::string key = file_identity(path) + "|tokenizer " + tokenizer_identity(data.tokenizer) +
                    "|max " + std::to_string(data.max_tokens) + "|label " + data.label_column;
  for (const auto& column : data.text_columns) key += "|text " + column;
  for (const auto& label : labels) key += "|l " + label;
  return key;
}

EncodedTable encode_table(const std::string& path, const DataConfig& data,
                          const std::vector<std::string>& labels, Tokenizer& tokenizer) {
  const auto table = read_text_table(path, {data.text_columns, data.label_column}, labels);
  auto texts = std::make_shared<EncodedTexts>(tokenizer.framing().pad);
  const bool pair = data.text_columns.size() == 2;
  std::vector<int64_t> label_ids;
  label_ids.reserve(table.examples.size());
  for (const auto& example : table.examples) {
    const std::string_view second = example.second;
    texts->add(tokenizer.encode_framed(example.first, pair ? &second : nullptr, data.max_tokens));
    label_ids.push_back(example.label);
  }
  return {texts, torch::tensor(label_ids, torch::kLong), table.labels, tokenizer.vocabulary_size()};
}

// Encoded tables of this process, for the next run that reads the same files the same way.
BoundedMemo<EncodedTable>& encoded_tables() {
  static BoundedMemo<EncodedTable> memo(8);  // a sweep reads a few files, again and again
  return memo;
}

}  // namespace

TextClassificationData load_text_classification(const DataConfig& data) {
  std::unique_ptr<Tokenizer> tokenizer;  // loaded only when a table is not cached
  const auto encoded = [&](const std::string& path, const std::vector<std::string>& labels) {
    const auto key = table_key(path, data, labels);
    if (auto kept = encoded_tables().find(key)) return *kept;
    if (!tokenizer) tokenizer = load_tokenizer(data.tokenizer);
    const auto table = encode_table(path, data, labels, *tokenizer);
    encoded_tables().keep(key, table);
    return table;
  };
  TextClassificationData result;
  const auto train = encoded(data.path, data.labels);
  result.labels = train.label_names;
  result.train = encoded_examples(train.texts, train.labels, data.train_limit);
  result.largest_id = train.texts->largest_id();
  result.vocabulary = train.vocabulary;
  for (const auto& path : data.eval_paths) {
    const auto evaluation = encoded(path, result.labels);
    auto name = std::filesystem::path(path).filename().string();
    if (data.eval_limit > 0 && data.eval_limit < evaluation.texts->size()) {
      // Named so, that a score on a sample is never read as the full one.
      name += ", first " + std::to_string(data.eval_limit);
    }
    result.evaluations.push_back({name, encoded_examples(evaluation.texts, evaluation.labels, data.eval_limit)});
    result.largest_id = std::max(result.largest_id, evaluation.texts->largest_id());
  }
  return result;
}

}  // namespace qn
