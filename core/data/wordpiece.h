#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "data/input_framing.h"
#include "data/tokenizer.h"

namespace qn {

// BERT's WordPiece (Devlin et al. 2019) from its vocab.txt (a token a line; id = line - 1).
// First BERT's basic tokenizer: control characters dropped, white space between words,
// each CJK ideograph a word of its own, for an uncased vocabulary lower case and accents
// stripped (NFD, combining marks removed; ICU), punctuation split off into words of its
// own. Then each word, greedy longest match first, into pieces of the vocabulary, the
// continuations prefixed "##"; a word with no such split, or longer than 100 characters,
// is [UNK]. Pairs are framed [CLS] A [SEP] B [SEP].
class WordPiece final : public Tokenizer {
 public:
  // `path`: vocab.txt or its folder. Uncased unless the vocabulary holds capitalised words
  // (a cased model's does). A vocabulary without [UNK], [CLS] or [SEP] is an InputError.
  static WordPiece load(const std::string& path);

  // The ids of `text` (UTF-8), no special tokens; invalid UTF-8 is an InputError.
  std::vector<int64_t> encode(std::string_view text) override;

  bool lower_case() const { return lower_case_; }
  int64_t vocabulary_size() const override { return static_cast<int64_t>(vocabulary_.size()); }
  const InputFraming& framing() const override { return framing_; }

 private:
  WordPiece() = default;
  void encode_word(const std::u32string& word, std::vector<int64_t>& ids) const;

  std::unordered_map<std::string, int64_t> vocabulary_;
  int64_t unknown_ = 0;
  bool lower_case_ = true;
  InputFraming framing_;
};

}  // namespace qn
