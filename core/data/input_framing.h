#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace qn {

// How a model family frames a text, or a pair of texts, into one input of token ids:
//   RoBERTa (<s> and </s> in the vocabulary, or fairseq's dict.txt):
//     <s> A </s>             and  <s> A </s></s> B </s>
//   GPT-2 (a plain GPT-2 vocabulary: no <s>): A, and A <|endoftext|> B (GPT-2's one special
//     token separates the pair; nothing is added around it).
struct InputFraming {
  std::string family;  // "roberta" or "gpt2"
  std::vector<int64_t> prefix, middle, suffix;
  int64_t pad = -1;  // <pad>'s id, where the vocabulary has one
  // BERT's: the second text of a pair, from its first token to the end, has token type 1.
  bool typed_segments = false;

  // The ids a framed input adds to the texts': prefix + suffix, plus middle for a pair.
  int64_t added(bool pair) const;
};

// The framing of a vocabulary that has these special tokens: RoBERTa's where `begin` (<s>)
// and `end` (</s>) are given, else GPT-2's with `separator` (<|endoftext|>); an InputError
// when a vocabulary has neither.
InputFraming framing_for(std::optional<int64_t> begin, std::optional<int64_t> end,
                         std::optional<int64_t> pad, std::optional<int64_t> separator);

// A framed input: its ids, and where token type 1 starts: the second text of a pair in a
// family with typed segments (BERT's), else the end (every token type 0).
struct FramedInput {
  std::vector<int64_t> ids;
  int64_t second_segment = 0;
};

// `first` (and `second`, for a pair) framed, cut to at most `max_tokens` ids in all (0: no
// limit) by removing tokens from the end of the longer text one at a time (the second on a
// tie), as HuggingFace's "longest_first" truncation does. A limit too small to hold the
// special tokens and one token of each text is an InputError naming it.
FramedInput frame_input(const InputFraming& framing, std::vector<int64_t> first,
                        const std::vector<int64_t>* second, int64_t max_tokens);

}  // namespace qn
