#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace qn {

using Sentence = std::vector<std::string>;

// Word-level vocabulary: <unk> (id 0) and <eos> (id 1), then the most frequent words of the
// training text (ties broken alphabetically, so the ids are stable), up to a size cap.
class Vocabulary {
 public:
  static constexpr int64_t kUnknown = 0;
  static constexpr int64_t kEndOfSentence = 1;

  // `size_cap` counts the two special tokens; 0 keeps every word.
  static Vocabulary build(const std::vector<Sentence>& training, int64_t size_cap);

  int64_t size() const { return static_cast<int64_t>(words_.size()); }
  const std::string& word(int64_t id) const { return words_.at(static_cast<size_t>(id)); }
  int64_t id(const std::string& word) const;  // kUnknown if absent
  const std::vector<std::string>& words() const { return words_; }  // word i has id i

  // Every sentence's word ids followed by <eos>, concatenated: (tokens) int64.
  torch::Tensor encode(const std::vector<Sentence>& sentences) const;

 private:
  std::vector<std::string> words_;
  std::unordered_map<std::string, int64_t> ids_;
};

// A vocabulary as a file: one word a line, line i (from 0) the word of id i, each line ended
// by '\n'. What an export writes beside a language model; its SHA-256 is the run's
// `vocabulary_sha256`.
std::string vocabulary_file_text(const std::vector<std::string>& words);

}  // namespace qn
