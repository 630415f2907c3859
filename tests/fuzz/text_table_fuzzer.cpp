// libFuzzer target for the text-classification table reader (core/data/text_table.h;
// bash tests/fuzz/run_text_table.sh builds and runs it). The first byte chooses the format
// (.tsv, .csv, .jsonl) and whether the columns are a pair; the rest is the file. Any input
// must either parse or be refused with qn::InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.h"
#include "data/text_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* kNames[] = {"f.tsv", "f.csv", "f.jsonl"};
  const qn::TextColumns single{{"sentence1"}, "gold_label"};
  const qn::TextColumns pair{{"sentence1", "sentence2"}, "gold_label"};
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    qn::parse_text_table(kNames[data[0] % 3], bytes, data[0] & 4 ? pair : single);
  } catch (const qn::InputError&) {
  }
  return 0;
}
