#include "data/wordpiece.h"

#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "common/file_bytes.h"
#include "common/utf8.h"
#include "data/uncased_text.h"

namespace qn {
namespace {

constexpr size_t kMaxWordCharacters = 100;

std::string utf8(const std::u32string& text, size_t from = 0, size_t to = std::u32string::npos) {
  icu::UnicodeString unicode;
  for (size_t i = from; i < std::min(to, text.size()); ++i) unicode.append(static_cast<UChar32>(text[i]));
  std::string bytes;
  unicode.toUTF8String(bytes);
  return bytes;
}

// BERT's _is_chinese_char: the CJK Unified Ideographs blocks and their extensions.
bool is_cjk(UChar32 c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_whitespace(UChar32 c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || u_charType(c) == U_SPACE_SEPARATOR;
}

bool is_control(UChar32 c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  const auto type = u_charType(c);
  return type == U_CONTROL_CHAR || type == U_FORMAT_CHAR;
}

// BERT's _is_punctuation: ASCII symbols count as punctuation, and Unicode's P categories.
bool is_punctuation(UChar32 c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
    return true;
  }
  return (U_GET_GC_MASK(c) & U_GC_P_MASK) != 0;
}

// BERT's basic tokenizer: the words of `text`, each as code points.
std::vector<std::u32string> basic_words(const icu::UnicodeString& text, bool lower_case) {
  std::vector<std::u32string> words;
  std::u32string word;
  const auto end_word = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  const auto unicode = lower_case ? uncased(text) : text;
  for (int32_t i = 0; i < unicode.length();) {
    const UChar32 c = unicode.char32At(i);
    i += U16_LENGTH(c);
    if (c == 0 || c == 0xFFFD || is_control(c)) continue;
    if (is_whitespace(c)) {
      end_word();
    } else if (is_cjk(c) || is_punctuation(c)) {
      end_word();
      words.push_back(std::u32string(1, static_cast<char32_t>(c)));
    } else {
      word.push_back(static_cast<char32_t>(c));
    }
  }
  end_word();
  return words;
}

}  // namespace

WordPiece WordPiece::load(const std::string& path) {
  const auto file = std::filesystem::is_directory(path) ? (std::filesystem::path(path) / "vocab.txt").string() : path;
  if (!std::filesystem::is_regular_file(file)) {
    throw InputError("WordPiece vocabulary '" + file + "' does not exist");
  }
  WordPiece tokenizer;
  std::istringstream lines(read_file_bytes(file));
  int64_t id = 0;
  bool capitalised = false;
  for (std::string line; std::getline(lines, line); ++id) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokenizer.vocabulary_.emplace(line, id);  // a repeated token keeps its first id
    capitalised = capitalised || (line.size() > 1 && std::isupper(static_cast<unsigned char>(line[0])) &&
                                  line.front() != '[');
  }
  tokenizer.lower_case_ = !capitalised;
  const auto special = [&](const char* token) {
    const auto found = tokenizer.vocabulary_.find(token);
    if (found == tokenizer.vocabulary_.end()) {
      throw InputError("WordPiece vocabulary '" + file + "' has no " + token + " token");
    }
    return found->second;
  };
  tokenizer.unknown_ = special("[UNK]");
  tokenizer.framing_.family = "bert";
  tokenizer.framing_.prefix = {special("[CLS]")};
  tokenizer.framing_.middle = {special("[SEP]")};
  tokenizer.framing_.suffix = {special("[SEP]")};
  tokenizer.framing_.typed_segments = true;
  const auto pad = tokenizer.vocabulary_.find("[PAD]");
  tokenizer.framing_.pad = pad == tokenizer.vocabulary_.end() ? -1 : pad->second;
  return tokenizer;
}

std::vector<int64_t> WordPiece::encode(std::string_view text) {
  if (const auto bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    throw InputError("text is not valid UTF-8 at byte " + std::to_string(bad));
  }
  const auto unicode = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), int32_t(text.size())));
  std::vector<int64_t> ids;
  for (const auto& word : basic_words(unicode, lower_case_)) encode_word(word, ids);
  return ids;
}

void WordPiece::encode_word(const std::u32string& word, std::vector<int64_t>& ids) const {
  if (word.size() > kMaxWordCharacters) {
    ids.push_back(unknown_);
    return;
  }
  std::vector<int64_t> pieces;
  for (size_t start = 0; start < word.size();) {
    size_t end = word.size();
    int64_t found = -1;
    for (; end > start; --end) {
      const auto piece = (start > 0 ? "##" : "") + utf8(word, start, end);
      const auto match = vocabulary_.find(piece);
      if (match != vocabulary_.end()) {
        found = match->second;
        break;
      }
    }
    if (found < 0) {  // no piece fits: the whole word is unknown
      ids.push_back(unknown_);
      return;
    }
    pieces.push_back(found);
    start = end;
  }
  ids.insert(ids.end(), pieces.begin(), pieces.end());
}

}  // namespace qn
