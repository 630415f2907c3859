#include "data/tokenizer.h"

#include <filesystem>

#include "common/error.h"
#include "data/byte_level_bpe.h"
#include "data/wordpiece.h"

namespace qn {

FramedInput Tokenizer::encode_framed(std::string_view first, const std::string_view* second,
                                     int64_t max_tokens) {
  if (!second) return frame_input(framing(), encode(first), nullptr, max_tokens);
  const auto second_ids = encode(*second);
  return frame_input(framing(), encode(first), &second_ids, max_tokens);
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  namespace fs = std::filesystem;
  const auto folder = fs::is_directory(path) ? fs::path(path) : fs::path(path).parent_path();
  const bool merges = fs::exists(folder / "merges.txt") || fs::exists(folder / "vocab.bpe");
  if (!merges && fs::exists(folder / "vocab.txt")) {
    return std::make_unique<WordPiece>(WordPiece::load((folder / "vocab.txt").string()));
  }
  return std::make_unique<ByteLevelBpe>(ByteLevelBpe::load(path));
}

}  // namespace qn
