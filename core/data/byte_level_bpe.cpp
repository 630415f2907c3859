#include "data/byte_level_bpe.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"
#include "common/file_bytes.h"

namespace qn {
namespace {

namespace fs = std::filesystem;

// GPT-2's pre-tokenizer, \s spelled out as Unicode's White_Space property (JavaScript's \s
// adds U+FEFF and lacks U+0085; PCRE2's lacks U+0085).
constexpr const char* kPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\x{85}\p{L}\p{N}]+|[\s\x{85}]+(?![^\s\x{85}])|[\s\x{85}]+)";

// GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68
// bytes for U+0100 onwards, in byte order. As UTF-8.
std::vector<std::string> byte_characters() {
  std::vector<std::string> characters(256);
  int next = 256;
  for (int byte = 0; byte < 256; ++byte) {
    const bool printable = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) ||
                           (byte >= 0xAE && byte <= 0xFF);
    const int code_point = printable ? byte : next++;
    std::string utf8;
    if (code_point < 0x80) {
      utf8 += static_cast<char>(code_point);
    } else {
      utf8 += static_cast<char>(0xC0 | (code_point >> 6));
      utf8 += static_cast<char>(0x80 | (code_point & 0x3F));
    }
    characters[byte] = utf8;
  }
  return characters;
}

struct TokenizerFiles {
  std::string vocabulary, merges;
};

// vocab.json or encoder.json, and merges.txt or vocab.bpe, in the folder `path` or beside
// the file `path`.
TokenizerFiles find_files(const std::string& path) {
  const auto folder = fs::is_directory(path) ? fs::path(path) : fs::path(path).parent_path();
  const auto first_of = [&folder](std::initializer_list<const char*> names) {
    for (const auto* name : names) {
      if (fs::is_regular_file(folder / name)) return (folder / name).string();
    }
    return std::string();
  };
  TokenizerFiles files{fs::is_regular_file(path) ? path : first_of({"vocab.json", "encoder.json"}),
                       first_of({"merges.txt", "vocab.bpe"})};
  if (!fs::exists(path)) throw InputError("tokenizer '" + path + "' does not exist");
  if (files.vocabulary.empty() || files.merges.empty()) {
    throw InputError("tokenizer '" + path + "' lacks " +
                     (files.vocabulary.empty() ? "a vocab.json (or encoder.json)"
                                               : "a merges.txt (or vocab.bpe)") +
                     " for GPT-2's byte-level BPE");
  }
  return files;
}

std::unordered_map<std::string, int32_t> read_vocabulary(const std::string& path) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_file_bytes(path));
  } catch (const nlohmann::json::exception& error) {
    throw InputError("vocabulary '" + path + "' is not valid JSON: " + error.what());
  }
  if (!json.is_object()) throw InputError("vocabulary '" + path + "' is not a JSON object of token ids");
  std::unordered_map<std::string, int32_t> vocabulary;
  for (const auto& [token, id] : json.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 ||
        id.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
      throw InputError("vocabulary '" + path + "': token '" + token + "' has id " + id.dump() +
                       ", not a non-negative integer");
    }
    vocabulary[token] = id.get<int32_t>();
  }
  return vocabulary;
}

std::optional<int64_t> id_of(const std::unordered_map<std::string, int32_t>& vocabulary,
                             const std::string& token) {
  const auto found = vocabulary.find(token);
  return found == vocabulary.end() ? std::nullopt : std::optional<int64_t>(found->second);
}

// fairseq's dict.txt: GPT-2 id -> fairseq id (4 + line; <unk> = 3 for ids it lacks). Lines
// whose symbol is not a number (fairseq's "madeupword0000" padding) take an id and map
// nothing.
struct Dictionary {
  std::vector<int32_t> renumbering;  // GPT-2 id -> fairseq id
  int64_t size = 0;                  // fairseq ids: the four specials and every line
};

Dictionary read_dictionary(const std::string& path, int64_t gpt2_size) {
  constexpr int32_t kUnknown = 3, kFirst = 4;
  std::vector<int32_t> renumbering(static_cast<size_t>(gpt2_size), kUnknown);
  std::istringstream lines(read_file_bytes(path));
  int32_t next = kFirst;
  int line_number = 0;
  for (std::string line; std::getline(lines, line); ++next) {
    ++line_number;
    std::istringstream fields(line);
    std::string symbol;
    int64_t count = 0;
    if (!(fields >> symbol >> count)) {
      throw InputError("dictionary '" + path + "' line " + std::to_string(line_number) +
                       ": not a symbol and a count");
    }
    if (symbol.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto gpt2_id = std::stoll(symbol.substr(0, 12));
    if (gpt2_id >= gpt2_size) {
      throw InputError("dictionary '" + path + "' line " + std::to_string(line_number) +
                       ": GPT-2 id " + symbol + " is beyond the vocabulary's " +
                       std::to_string(gpt2_size) + " tokens: not this tokenizer's dictionary");
    }
    renumbering[static_cast<size_t>(gpt2_id)] = next;
  }
  return {std::move(renumbering), next};
}

}  // namespace

ByteLevelBpe ByteLevelBpe::load(const std::string& path) {
  const auto files = find_files(path);
  const auto vocabulary = read_vocabulary(files.vocabulary);
  ByteLevelBpe tokenizer;
  for (const auto& [token, id] : vocabulary) {
    tokenizer.vocabulary_size_ = std::max<int64_t>(tokenizer.vocabulary_size_, int64_t{id} + 1);
  }
  const auto characters = byte_characters();
  for (int byte = 0; byte < 256; ++byte) {
    const auto found = vocabulary.find(characters[byte]);
    if (found == vocabulary.end()) {
      throw InputError("vocabulary '" + files.vocabulary + "' has no token for byte " +
                       std::to_string(byte) + ": it is not a byte-level BPE vocabulary");
    }
    tokenizer.byte_ids_[byte] = found->second;
  }
  std::istringstream merges(read_file_bytes(files.merges));
  int line_number = 0;
  int32_t rank = 0;  // a merge's position after the #version line, as GPT-2 counts it
  for (std::string line; std::getline(merges, line);) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_number == 1 && line.rfind("#version", 0) == 0)) continue;
    const auto space = line.find(' ');
    if (space == std::string::npos || space == 0 || line.find(' ', space + 1) != std::string::npos) {
      throw InputError("merges '" + files.merges + "' line " + std::to_string(line_number) +
                       ": not two symbols separated by one space");
    }
    const auto left = line.substr(0, space), right = line.substr(space + 1);
    const auto id = [&](const std::string& symbol) {
      const auto found = vocabulary.find(symbol);
      if (found == vocabulary.end()) {
        throw InputError("merges '" + files.merges + "' line " + std::to_string(line_number) +
                         " needs '" + symbol + "', which vocabulary '" + files.vocabulary +
                         "' lacks: the two files are not from one tokenizer");
      }
      return found->second;
    };
    const uint64_t key = uint64_t(uint32_t(id(left))) << 32 | uint32_t(id(right));
    // A pair listed twice keeps its last rank, as GPT-2's dict(zip(merges, ranks)) does.
    tokenizer.merges_[key] = Merge{rank++, id(left + right)};
  }
  int error = 0;
  PCRE2_SIZE offset = 0;
  auto* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kPattern), PCRE2_ZERO_TERMINATED,
                             PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (!code) throw std::logic_error("GPT-2's pattern does not compile in PCRE2");
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // where PCRE2 has its JIT; else interpreted
  tokenizer.pattern_ = std::shared_ptr<const void>(code, [](const void* compiled) {
    pcre2_code_free(static_cast<pcre2_code*>(const_cast<void*>(compiled)));
  });
  const auto dictionary = fs::path(files.vocabulary).parent_path() / "dict.txt";
  if (fs::is_regular_file(dictionary)) {
    auto renumbered = read_dictionary(dictionary.string(), tokenizer.vocabulary_size_);
    tokenizer.renumbering_ = std::move(renumbered.renumbering);
    tokenizer.vocabulary_size_ = renumbered.size;
    tokenizer.framing_ = framing_for(0, 2, 1, std::nullopt);  // fairseq's <s> <pad> </s>
  } else {
    tokenizer.framing_ = framing_for(id_of(vocabulary, "<s>"), id_of(vocabulary, "</s>"),
                                     id_of(vocabulary, "<pad>"), id_of(vocabulary, "<|endoftext|>"));
  }
  return tokenizer;
}

std::vector<int64_t> ByteLevelBpe::encode(std::string_view text) {
  auto* code = static_cast<pcre2_code*>(const_cast<void*>(pattern_.get()));
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
      pcre2_match_data_create_from_pattern(code, nullptr), &pcre2_match_data_free);
  std::vector<int64_t> ids;
  PCRE2_SIZE start = 0;
  uint32_t options = 0;  // UTF checked once, on the first match
  while (start < text.size()) {
    const int found = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(),
                                  start, options, match.get(), nullptr);
    if (found == PCRE2_ERROR_NOMATCH) break;
    if (found < 0) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(found, message, sizeof message);
      throw InputError("text is not valid UTF-8 at byte " +
                       std::to_string(pcre2_get_startchar(match.get())) + ": " +
                       reinterpret_cast<const char*>(message));
    }
    options = PCRE2_NO_UTF_CHECK;
    const auto* vector = pcre2_get_ovector_pointer(match.get());
    encode_pre_token(text.substr(vector[0], vector[1] - vector[0]), ids);
    start = vector[1];
  }
  return ids;
}

void ByteLevelBpe::encode_pre_token(std::string_view bytes, std::vector<int64_t>& ids) {
  const std::string key(bytes);
  if (const auto cached = cache_.find(key); cached != cache_.end()) {
    ids.insert(ids.end(), cached->second.begin(), cached->second.end());
    return;
  }
  std::vector<int32_t> symbols;
  symbols.reserve(bytes.size());
  for (const unsigned char byte : bytes) symbols.push_back(byte_ids_[byte]);
  while (symbols.size() > 1) {
    // The adjacent pair of best rank; then every occurrence of it, left to right.
    const Merge* best = nullptr;
    uint64_t best_key = 0;
    for (size_t i = 0; i + 1 < symbols.size(); ++i) {
      const uint64_t pair = uint64_t(uint32_t(symbols[i])) << 32 | uint32_t(symbols[i + 1]);
      const auto found = merges_.find(pair);
      if (found != merges_.end() && (!best || found->second.rank < best->rank)) {
        best = &found->second;
        best_key = pair;
      }
    }
    if (!best) break;
    const auto left = int32_t(best_key >> 32), right = int32_t(best_key & 0xFFFFFFFF);
    size_t kept = 0;
    for (size_t i = 0; i < symbols.size(); ++i) {
      if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
        symbols[kept++] = best->merged;
        ++i;
      } else {
        symbols[kept++] = symbols[i];
      }
    }
    symbols.resize(kept);
  }
  if (cache_.size() > (1u << 20)) cache_.clear();  // bounded: a corpus of rare words
  auto& cached = cache_[key];
  for (const auto symbol : symbols) {
    cached.push_back(renumbering_.empty() ? symbol : renumbering_[static_cast<size_t>(symbol)]);
  }
  ids.insert(ids.end(), cached.begin(), cached.end());
}

}  // namespace qn
