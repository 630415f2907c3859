#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace qn {

// Labelled texts for text classification, read from the files GLUE-style tasks ship (MNLI's
// train.tsv, dev_matched.tsv, ...). Free of LibTorch (the reader is fuzzed alone).
//
// Formats, by the file's ending:
//   .tsv    a header row of column names, then one example a line, fields separated by tabs
//           and never quoted (GLUE's files: a " is text);
//   .csv    a header row, fields separated by commas, quoted by " where they hold commas,
//           quotes ("" inside) or line ends (RFC 4180);
//   .jsonl  one JSON object a line, columns as keys (string values; a number or a bool is
//           taken as its JSON text).
// A UTF-8 byte-order mark at the start is skipped and CRLF line ends are read as LF: files
// saved by Windows tools read as written. Anything else is an InputError naming the file
// and line: a missing column, a row with more or fewer fields than the header, a label
// outside the given ones, invalid UTF-8, bad JSON, an empty file, a file without examples.
struct TextColumns {
  std::vector<std::string> texts;  // one column (a text) or two (a pair)
  std::string label;
};

struct TextExample {
  std::string first, second;  // second: empty for single texts
  int64_t label = 0;           // an index into TextTable::labels
};

struct TextTable {
  std::vector<TextExample> examples;
  std::vector<std::string> labels;  // the label of index i
};

// `labels` empty: the file's own labels, sorted (a training file); else those, in that
// order (an evaluation file read with the training file's labels, or data.labels).
TextTable read_text_table(const std::string& path, const TextColumns& columns,
                          const std::vector<std::string>& labels = {});

// The same from the file's bytes; `name` (its path, with its ending) names it in errors
// and chooses the format.
TextTable parse_text_table(const std::string& name, const std::string& bytes,
                           const TextColumns& columns, const std::vector<std::string>& labels = {});

}  // namespace qn
