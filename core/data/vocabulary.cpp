#include "data/vocabulary.h"

#include <algorithm>

#include "common/error.h"

namespace qn {

Vocabulary Vocabulary::build(const std::vector<Sentence>& training, int64_t size_cap) {
  if (size_cap != 0 && size_cap < 3) {
    throw InputError("the vocabulary size cap must be 0 (no cap) or at least 3 (got " +
                     std::to_string(size_cap) + ")");
  }
  std::unordered_map<std::string, int64_t> counts;
  for (const auto& sentence : training) {
    for (const auto& word : sentence) ++counts[word];
  }
  std::vector<std::pair<std::string, int64_t>> ranked(counts.begin(), counts.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });

  Vocabulary vocabulary;
  vocabulary.words_ = {"<unk>", "<eos>"};
  for (const auto& [word, count] : ranked) {
    if (size_cap != 0 && vocabulary.size() >= size_cap) break;
    vocabulary.words_.push_back(word);
  }
  for (int64_t id = 0; id < vocabulary.size(); ++id) {
    vocabulary.ids_.emplace(vocabulary.words_[static_cast<size_t>(id)], id);
  }
  return vocabulary;
}

int64_t Vocabulary::id(const std::string& word) const {
  const auto found = ids_.find(word);
  return found == ids_.end() ? kUnknown : found->second;
}

torch::Tensor Vocabulary::encode(const std::vector<Sentence>& sentences) const {
  std::vector<int64_t> ids;
  for (const auto& sentence : sentences) {
    for (const auto& word : sentence) ids.push_back(id(word));
    ids.push_back(kEndOfSentence);
  }
  return torch::tensor(ids, torch::kLong);
}

std::string vocabulary_file_text(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += word + '\n';
  return text;
}

}  // namespace qn
