#include "data/tokenizer.h"

#include <filesystem>

#include "common/error.h"
#include "data/byte_level_bpe.h"
#include "data/sentencepiece.h"
#include "data/wordpiece.h"

namespace qn {
namespace {

// The names HuggingFace's and fairseq's SentencePiece models ship under: ALBERT's and T5's,
// XLM-R's, Llama's.
constexpr const char* kSentencePieceNames[] = {"spiece.model", "sentencepiece.bpe.model", "tokenizer.model"};

}  // namespace

FramedInput Tokenizer::encode_framed(std::string_view first, const std::string_view* second,
                                     int64_t max_tokens) {
  if (!second) return frame_input(framing(), encode(first), nullptr, max_tokens);
  const auto second_ids = encode(*second);
  return frame_input(framing(), encode(first), &second_ids, max_tokens);
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::path(path).extension() == ".model") return SentencePiece::load(path);
  const auto folder = fs::is_directory(path) ? fs::path(path) : fs::path(path).parent_path();
  for (const char* name : kSentencePieceNames) {
    if (fs::is_directory(path) && fs::exists(folder / name)) return SentencePiece::load((folder / name).string());
  }
  const bool merges = fs::exists(folder / "merges.txt") || fs::exists(folder / "vocab.bpe");
  if (!merges && fs::exists(folder / "vocab.txt")) {
    return std::make_unique<WordPiece>(WordPiece::load((folder / "vocab.txt").string()));
  }
  return std::make_unique<ByteLevelBpe>(ByteLevelBpe::load(path));
}

}  // namespace qn
