#include "data/sentencepiece.h"

#include <dlfcn.h>
#include <unicode/unistr.h>

#include <filesystem>
#include <optional>

#include "common/error.h"
#include "common/utf8.h"
#include "data/sentencepiece_api.h"
#include "data/uncased_text.h"

namespace qn {
namespace {

constexpr size_t kErrorSize = 512;

struct Module {
  const QnSentencePieceApi* api = nullptr;
  std::string failure;
};

// QNS_SENTENCEPIECE_MODULE is the module's path relative to the executables' folder: the same
// in the build tree and once installed (core/CMakeLists.txt).
Module open_module() {
#ifdef QNS_SENTENCEPIECE_MODULE
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  const auto path = (executable.parent_path() / QNS_SENTENCEPIECE_MODULE).lexically_normal().string();
  // RTLD_LOCAL keeps libsentencepiece's protobuf symbols out of the process's; RTLD_DEEPBIND
  // makes the module's own calls find them first (data/sentencepiece_api.h).
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (!handle) return {nullptr, "QNStudio's SentencePiece module cannot be opened: " + std::string(dlerror())};
  using Entry = const QnSentencePieceApi* (*)();
  const auto entry = reinterpret_cast<Entry>(dlsym(handle, "qn_sentencepiece_api"));
  if (!entry || entry()->version != kQnSentencePieceApiVersion) {
    return {nullptr, "'" + path + "' is not this build's SentencePiece module"};
  }
  return {entry(), {}};
#else
  return {nullptr, "this build of QNStudio reads no SentencePiece model: libsentencepiece-dev was "
                   "missing when it was built"};
#endif
}

// Opened once, for the life of the process.
const QnSentencePieceApi& sentencepiece_module() {
  static const Module module = open_module();
  if (!module.api) throw InputError(module.failure);
  return *module.api;
}

// HuggingFace's AlbertTokenizer's preprocess_text for an uncased model: `` and '' as ",
// accents stripped (NFKD), lower case.
std::string albert_uncased(std::string_view text) {
  std::string quoted;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool doubled = i + 1 < text.size() && (text[i] == '`' || text[i] == '\'') && text[i + 1] == text[i];
    quoted += doubled ? '"' : text[i];
    i += doubled ? 1 : 0;
  }
  std::string result;
  uncased(icu::UnicodeString::fromUTF8(quoted), /*compatibility=*/true).toUTF8String(result);
  return result;
}

}  // namespace

std::unique_ptr<SentencePiece> SentencePiece::load(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw InputError("SentencePiece model '" + path + "' does not exist");
  }
  const auto& api = sentencepiece_module();
  char error[kErrorSize] = {};
  void* model = api.load(path.c_str(), error, sizeof error);
  if (!model) throw InputError("SentencePiece model '" + path + "' cannot be read: " + error);
  std::unique_ptr<SentencePiece> tokenizer(new SentencePiece(api, model));
  tokenizer->frame_by_family(path);
  return tokenizer;
}

SentencePiece::~SentencePiece() { api_.release(model_); }

void SentencePiece::frame_by_family(const std::string& path) {
  const int pieces = api_.piece_count(model_);
  vocabulary_size_ = pieces;
  framing_.pad = api_.pad_id(model_);
  if (std::filesystem::path(path).filename() == "sentencepiece.bpe.model") {
    // fairseq's dictionary puts <s> <pad> </s> <unk> first, moving every piece up by one
    // (HuggingFace's XLMRobertaTokenizer calls it fairseq_offset).
    framing_.family = "xlm-roberta";
    for (int id = 0; id < pieces; ++id) {
      if (api_.piece_kind(model_, id) == kQnPieceUnknown) piece_unknown_ = id;
    }
    id_offset_ = 1;
    vocabulary_size_ = pieces + 1;
    framing_.prefix = {0};
    framing_.middle = {2, 2};
    framing_.suffix = {2};
    framing_.pad = 1;
    return;
  }
  const int cls = api_.piece_id(model_, "[CLS]");
  const int sep = api_.piece_id(model_, "[SEP]");
  if (cls >= 0 && sep >= 0) {
    framing_.family = "albert";
    framing_.prefix = {cls};
    framing_.middle = {sep};
    framing_.suffix = {sep};
    framing_.typed_segments = true;
    // An ordinary piece with an ASCII capital marks a cased model ([CLS]-like symbols and
    // <unk> are not ordinary pieces).
    bool capitalised = false;
    for (int id = 0; id < pieces && !capitalised; ++id) {
      if (api_.piece_kind(model_, id) != kQnPieceNormal) continue;
      const std::string_view piece = api_.piece(model_, id);
      capitalised = !piece.empty() && piece.front() != '[' && piece.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != piece.npos;
    }
    lower_case_ = !capitalised;
    return;
  }
  const int end = api_.end_id(model_);
  if (end < 0) {
    throw InputError("SentencePiece model '" + path + "' has neither an end-of-sentence piece "
                     "(T5's </s>) nor [CLS] and [SEP] (ALBERT's): nothing says how to frame a text "
                     "or separate a pair");
  }
  framing_.family = "t5";
  framing_.middle = {end};
  framing_.suffix = {end};
}

std::vector<int64_t> SentencePiece::encode(std::string_view text) {
  if (const auto bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    throw InputError("text is not valid UTF-8 at byte " + std::to_string(bad));
  }
  const std::string uncased_text = lower_case_ ? albert_uncased(text) : std::string();
  const std::string_view read = lower_case_ ? std::string_view(uncased_text) : text;
  char error[kErrorSize] = {};
  size_t count = 0;
  const int* ids = api_.encode(model_, read.data(), read.size(), &count, error, sizeof error);
  if (!ids) throw InputError(std::string("SentencePiece cannot encode a text: ") + error);
  std::vector<int64_t> result(ids, ids + count);
  if (id_offset_ != 0) {
    for (auto& id : result) id = id == piece_unknown_ ? kFairseqUnknown : id + id_offset_;
  }
  return result;
}

}  // namespace qn
