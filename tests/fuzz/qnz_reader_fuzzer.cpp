// libFuzzer target for the .qnz reader (tests/fuzz/run.sh builds and runs it). Any input
// must either parse or be refused with qn::InputError; anything else (a crash, a sanitizer
// report, another exception, an allocation over -malloc_limit_mb) is a bug.
//
// An input that starts with the .qnz magic is read as a file. Any other input is read as
// "header JSON, a NUL byte, payload" and wrapped into a file with a correct prefix and a
// deflated header first: mutations of a deflated header almost never inflate, so this is
// how the fuzzer reaches the JSON checks (make_corpus.sh writes seeds of both forms).
// test_checkpoint links this file and replays the committed corpus through it.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <string>

#include "common/error.h"
#include "io/qnz_reader.h"
#include "io/qnz_writer.h"

namespace {

// "header JSON, NUL, payload" as a file.
std::string wrap(const std::string& input) {
  const size_t split = std::min(input.find('\0'), input.size());
  return qn::assemble_qnz(input.substr(0, split),
                          split < input.size() ? std::string_view(input).substr(split + 1)
                                               : std::string_view());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  const bool is_file =
      size >= sizeof qn::kQnzMagic && std::memcmp(data, qn::kQnzMagic, sizeof qn::kQnzMagic) == 0;
  try {
    qn::parse_qnz(is_file ? std::move(input) : wrap(input));
  } catch (const qn::InputError&) {
  }
  return 0;
}
