// libFuzzer target for the tokenizer files a user brings (core/data/byte_level_bpe.h,
// core/data/wordpiece.h; bash tests/fuzz/run_tokenizer_files.sh builds and runs it). The
// first byte chooses the family: GPT-2's BPE (encoder.json + vocab.bpe, and a dict.txt when
// bit 1 is set) or BERT's WordPiece (vocab.txt); the rest is split at each "\x01\x02" into
// those files, written to a scratch folder. Any input must either load and encode a fixed
// text of every script the tests use, or be refused with qn::InputError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "data/byte_level_bpe.h"
#include "data/wordpiece.h"

namespace {

const std::string kText =
    "Hello world, it's 2024!\tCaf\xC3\xA9 na\xC3\xAFve \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E "
    "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD  \x01 end";

std::vector<std::string> parts_of(const std::string& bytes) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const auto at = bytes.find("\x01\x02", start);
    parts.push_back(bytes.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 2;
  }
}

const std::filesystem::path& scratch() {
  static const auto folder = [] {
    auto path = std::filesystem::temp_directory_path() / ("tokenizer_fuzz_" + std::to_string(getpid()));
    std::filesystem::create_directories(path);
    return path;
  }();
  return folder;
}

void write(const char* name, const std::string& bytes) {
  std::ofstream(scratch() / name, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto parts = parts_of(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  const auto part = [&](size_t i) { return i < parts.size() ? parts[i] : std::string(); };
  for (const char* name : {"encoder.json", "vocab.bpe", "dict.txt", "vocab.txt"}) {
    std::filesystem::remove(scratch() / name);
  }
  try {
    if (data[0] & 1) {
      write("vocab.txt", part(0));
      auto tokenizer = qn::WordPiece::load((scratch() / "vocab.txt").string());
      tokenizer.encode(kText);
    } else {
      write("encoder.json", part(0));
      write("vocab.bpe", part(1));
      if (data[0] & 2) write("dict.txt", part(2));
      auto tokenizer = qn::ByteLevelBpe::load(scratch().string());
      tokenizer.encode(kText);
    }
  } catch (const qn::InputError&) {
  }
  return 0;
}
