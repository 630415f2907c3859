#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "io/qnz_format.h"

namespace qn {

// A language model's vocabulary (brown-lm, text-lm) written beside its export: the ids the
// model reads and predicts mean nothing without the words. The checkpoint holds the
// vocabulary's SHA-256 (its result's `vocabulary_sha256`), not the words: the export rebuilds
// them from the corpus the run's config names and writes them only if they hash the same.
struct VocabularyExport {
  std::string path;     // <the export's name>.vocabulary.txt (data/vocabulary.h's format); empty when not written
  int64_t words = 0;
  std::string sha256;
  bool verified = false;  // against the run's hash (a run made before round 3 has none)
  std::string problem;    // why it was not written: the corpus is gone or has changed
};

// The vocabulary of `checkpoint` beside `export_path`; nullopt for any other task.
std::optional<VocabularyExport> export_vocabulary(const QnzFile& checkpoint, const std::string& export_path);

}  // namespace qn
