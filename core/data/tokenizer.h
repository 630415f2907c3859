#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/input_framing.h"

namespace qn {

// A tokenizer a user brings with their model, as the text tasks and `qnoise tokenize` use it.
class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // The ids of `text`, no special tokens (not thread-safe: one tokenizer a thread).
  virtual std::vector<int64_t> encode(std::string_view text) = 0;
  // A text, or a pair, framed with the family's special tokens, at most `max_tokens` ids.
  FramedInput encode_framed(std::string_view first, const std::string_view* second,
                            int64_t max_tokens);
  virtual int64_t vocabulary_size() const = 0;
  virtual const InputFraming& framing() const = 0;
};

// By the files at `path` (a folder, or one of its files): a `.model` file, or a folder holding
// spiece.model, sentencepiece.bpe.model or tokenizer.model, is SentencePiece
// (data/sentencepiece.h); vocab.txt alone is BERT's WordPiece (data/wordpiece.h); vocab.json
// or encoder.json with merges.txt or vocab.bpe is GPT-2's byte-level BPE
// (data/byte_level_bpe.h). None of them is an InputError naming the path.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

}  // namespace qn
