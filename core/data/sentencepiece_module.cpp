// QNStudio's SentencePiece module: libsentencepiece behind the C table of
// data/sentencepiece_api.h (why it is a module of its own is said there). It is the only
// code that includes SentencePiece's headers.
#include <sentencepiece_processor.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "data/sentencepiece_api.h"

namespace {

struct Model {
  sentencepiece::SentencePieceProcessor processor;
  std::vector<int> ids;  // the last encode's
};

void write_error(const std::string& text, char* error, size_t error_size) {
  if (error_size == 0) return;
  const size_t length = std::min(text.size(), error_size - 1);
  std::memcpy(error, text.data(), length);
  error[length] = '\0';
}

Model& model_of(void* model) { return *static_cast<Model*>(model); }

void* load(const char* path, char* error, size_t error_size) {
  auto model = std::make_unique<Model>();
  const auto status = model->processor.Load(path);
  if (!status.ok()) {
    write_error(status.ToString(), error, error_size);
    return nullptr;
  }
  return model.release();
}

void release(void* model) { delete static_cast<Model*>(model); }

const int* encode(void* model, const char* text, size_t length, size_t* count, char* error,
                  size_t error_size) {
  auto& m = model_of(model);
  const auto status = m.processor.Encode(absl::string_view(text, length), &m.ids);
  if (!status.ok()) {
    write_error(status.ToString(), error, error_size);
    return nullptr;
  }
  *count = m.ids.size();
  return m.ids.data();
}

int piece_count(void* model) { return model_of(model).processor.GetPieceSize(); }

const char* piece(void* model, int id) { return model_of(model).processor.IdToPiece(id).c_str(); }

int piece_kind(void* model, int id) {
  const auto& p = model_of(model).processor;
  if (p.IsUnknown(id)) return kQnPieceUnknown;
  if (p.IsControl(id)) return kQnPieceControl;
  if (p.IsUnused(id)) return kQnPieceUnused;
  if (p.IsByte(id)) return kQnPieceByte;
  return kQnPieceNormal;
}

int piece_id(void* model, const char* piece) {
  const auto& p = model_of(model).processor;
  const int id = p.PieceToId(piece);
  // PieceToId answers unk_id for a piece it lacks; only <unk> itself may map there.
  return id == p.unk_id() && p.IdToPiece(id) != piece ? -1 : id;
}

int end_id(void* model) { return model_of(model).processor.eos_id(); }
int pad_id(void* model) { return model_of(model).processor.pad_id(); }

const QnSentencePieceApi kApi = {kQnSentencePieceApiVersion, load, release, encode,
                                 piece_count, piece, piece_kind, piece_id, end_id, pad_id};

}  // namespace

extern "C" __attribute__((visibility("default"))) const QnSentencePieceApi* qn_sentencepiece_api() {
  return &kApi;
}
