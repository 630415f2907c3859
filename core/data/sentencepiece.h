#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/input_framing.h"
#include "data/tokenizer.h"

struct QnSentencePieceApi;

namespace qn {

// A SentencePiece model (Kudo and Richardson 2018; a `.model` file, unigram or BPE), encoded
// by Debian's libsentencepiece through QNStudio's module (data/sentencepiece_api.h), framed
// as the family it belongs to:
//   XLM-R (the file is named sentencepiece.bpe.model, as HuggingFace and fairseq ship it):
//     fairseq's ids, a piece's id + 1 with <s> 0, <pad> 1, </s> 2, <unk> 3;
//     <s> A </s> and <s> A </s></s> B </s>.
//   ALBERT (the model has [CLS] and [SEP] pieces): [CLS] A [SEP] and [CLS] A [SEP] B [SEP],
//     token type 1 from B on. Where no ordinary piece holds a capital letter (albert-base-v2's
//     vocabulary), text is read as HuggingFace's AlbertTokenizer reads it: `` and '' as ",
//     lower-cased, accents stripped (NFKD).
//   T5 and any other model with an end-of-sentence piece: A </s> and A </s> B </s>.
// A model with none of these is refused: nothing would say how to frame a pair.
class SentencePiece final : public Tokenizer {
 public:
  // `path`: the .model file. A file SentencePiece cannot read, or a build of QNStudio
  // without the module, is an InputError naming the file.
  static std::unique_ptr<SentencePiece> load(const std::string& path);
  ~SentencePiece() override;

  // The ids of `text` (UTF-8), no special tokens; invalid UTF-8 is an InputError.
  std::vector<int64_t> encode(std::string_view text) override;

  int64_t vocabulary_size() const override { return vocabulary_size_; }
  const InputFraming& framing() const override { return framing_; }
  bool lower_case() const { return lower_case_; }

 private:
  SentencePiece(const QnSentencePieceApi& api, void* model) : api_(api), model_(model) {}
  SentencePiece(const SentencePiece&) = delete;
  SentencePiece& operator=(const SentencePiece&) = delete;
  void frame_by_family(const std::string& path);

  const QnSentencePieceApi& api_;
  void* model_;
  static constexpr int64_t kFairseqUnknown = 3;  // <unk> in a fairseq dictionary
  int64_t id_offset_ = 0;     // XLM-R's fairseq offset
  int64_t piece_unknown_ = -1;  // the model's own <unk>, which the offset maps to fairseq's
  int64_t vocabulary_size_ = 0;
  bool lower_case_ = false;
  InputFraming framing_;
};

}  // namespace qn
