#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "data/input_framing.h"
#include "data/tokenizer.h"

namespace qn {

// GPT-2's byte-level BPE, the tokenizer of GPT-2 and RoBERTa (Radford et al. 2019), from
// the files a model ships with: the vocabulary (vocab.json or encoder.json: token -> id)
// and the merges (merges.txt or vocab.bpe: one "a b" pair a line, by priority, after a
// "#version" line). Text is cut into pre-tokens by GPT-2's pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// (PCRE2, with \s as Unicode's White_Space, as Python's `regex` module and HuggingFace's
// tokenizers read it); each pre-token's UTF-8 bytes map to the 256 printable characters
// of GPT-2's byte table; then the pair of adjacent symbols with the best merge rank is
// merged, all its occurrences left to right, until no pair has a rank.
//
// fairseq's RoBERTa checkpoints number tokens by their own dict.txt ("<GPT-2 id> <count>" a
// line: line i is id 4 + i after <s>, <pad>, </s>, <unk> = 0..3); where a dict.txt lies
// beside the files, ids come out in its numbering (a token it lacks as <unk>). The
// framing (data/input_framing.h) follows the vocabulary: RoBERTa's where it has <s> and
// </s> (or with dict.txt), else GPT-2's.
class ByteLevelBpe final : public Tokenizer {
 public:
  // A folder holding vocab.json or encoder.json and merges.txt or vocab.bpe, or the
  // vocabulary file itself with the merges beside it. Files that do not parse, and a
  // vocabulary and merges that do not belong together (a merge whose parts or result the
  // vocabulary lacks, a byte the vocabulary has no token for), are InputErrors naming the
  // file and line.
  static ByteLevelBpe load(const std::string& path);

  // The ids of `text` (UTF-8), no special tokens. Invalid UTF-8 is an InputError giving
  // the byte offset. Remembers each pre-token's ids (not thread-safe: one tokenizer a thread).
  std::vector<int64_t> encode(std::string_view text) override;

  // The ids a model's embedding needs rows for: one past the largest id it can produce.
  int64_t vocabulary_size() const override { return vocabulary_size_; }
  const InputFraming& framing() const override { return framing_; }

 private:
  ByteLevelBpe() = default;
  void encode_pre_token(std::string_view bytes, std::vector<int64_t>& ids);

  struct Merge {
    int32_t rank;
    int32_t merged;  // the id of the two symbols joined
  };
  int64_t vocabulary_size_ = 0;
  int32_t byte_ids_[256] = {};                      // a byte's own token
  std::unordered_map<uint64_t, Merge> merges_;      // (left id << 32 | right id) -> merge
  std::shared_ptr<const void> pattern_;             // the compiled pre-tokenizer (pcre2_code)
  std::vector<int32_t> renumbering_;  // GPT-2 id -> dict.txt's; empty without a dict.txt
  InputFraming framing_;
  std::unordered_map<std::string, std::vector<int64_t>> cache_;  // pre-token -> ids
};

}  // namespace qn
