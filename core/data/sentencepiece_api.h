#pragma once

// The C interface between QNStudio and its SentencePiece module (sentencepiece_module.cpp,
// built as the shared object qn_sentencepiece). Debian's libsentencepiece carries its own
// copy of protobuf-lite and exports its symbols; loaded beside LibTorch, which links
// Debian's libprotobuf, one library's protobuf calls land in the other's copy and the
// process crashes while it starts. So libsentencepiece never joins the process's global
// symbols: data/sentencepiece.cpp opens the module with RTLD_LOCAL | RTLD_DEEPBIND (the
// module and its libraries resolve their own symbols first) and reaches it only through this
// table of plain C functions. Nothing here allocates across the boundary.

#include <stddef.h>

extern "C" {

// What a piece is (SentencePiece's ModelProto piece types, as the processor reports them).
enum QnPieceKind { kQnPieceNormal = 0, kQnPieceUnknown, kQnPieceControl, kQnPieceUnused, kQnPieceByte };

struct QnSentencePieceApi {
  int version;  // kQnSentencePieceApiVersion of the module's build
  // A loaded model, or null with the reason written to `error` (at most `error_size` bytes).
  void* (*load)(const char* path, char* error, size_t error_size);
  void (*release)(void* model);
  // The ids of `text` (no special tokens), held by the model until its next call; null on an
  // error, with the reason in `error`.
  const int* (*encode)(void* model, const char* text, size_t length, size_t* count,
                       char* error, size_t error_size);
  int (*piece_count)(void* model);
  const char* (*piece)(void* model, int id);  // valid while the model lives
  int (*piece_kind)(void* model, int id);     // a QnPieceKind
  int (*piece_id)(void* model, const char* piece);  // -1 for a piece the model lacks
  int (*end_id)(void* model);  // </s>'s id (-1: disabled), as the model's trainer set it
  int (*pad_id)(void* model);  // <pad>'s id, -1 when disabled
};

enum { kQnSentencePieceApiVersion = 1 };

// The module's one exported symbol.
const QnSentencePieceApi* qn_sentencepiece_api();
}
