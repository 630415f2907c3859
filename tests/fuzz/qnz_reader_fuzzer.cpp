// libFuzzer target for the .qnz reader (tests/fuzz/run.sh builds and runs it). Any input
// must either parse or be refused with qn::InputError; anything else (a crash, a sanitizer
// report, another exception, an allocation over -malloc_limit_mb) is a bug.
//
// An input that starts with the .qnz magic is read as a file. Any other input is read as
// "header JSON, a NUL byte, payload" and wrapped into a file with a correct prefix and a
// deflated header first: mutations of a deflated header almost never inflate, so this is
// how the fuzzer reaches the JSON checks (make_corpus.sh writes seeds of both forms).
// test_checkpoint links this file and replays the committed corpus through it.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/error.h"
#include "io/little_endian.h"
#include "io/qnz_reader.h"

namespace {

std::string wrap(const std::string& input) {
  const size_t split = std::min(input.find('\0'), input.size());
  const std::string json = input.substr(0, split);
  uLongf length = compressBound(json.size());
  std::string stored(length, '\0');
  compress2(reinterpret_cast<Bytef*>(stored.data()), &length,
            reinterpret_cast<const Bytef*>(json.data()), json.size(), 1);
  stored.resize(length);
  std::string file(qn::kQnzMagic, sizeof qn::kQnzMagic);
  qn::append_u32(file, qn::kQnzVersion);
  qn::append_u32(file, static_cast<uint32_t>(stored.size()));
  qn::append_u32(file, static_cast<uint32_t>(json.size()));
  qn::append_u32(file, static_cast<uint32_t>(
                          crc32(0, reinterpret_cast<const Bytef*>(stored.data()), stored.size())));
  return file + stored + (split < input.size() ? input.substr(split + 1) : std::string());
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
