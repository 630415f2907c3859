#include "data/idx_file.h"

#include <zlib.h>

#include <array>
#include <memory>
#include <vector>

#include "common/error.h"

namespace qn {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr int kMaxDimensions = 4;
constexpr int64_t kMaxElements = int64_t{1} << 32;  // 4 GiB: far above any image set

// gzread reads gzip streams and, transparently, raw files.
class GzipReader {
 public:
  explicit GzipReader(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    if (!file_) throw InputError("cannot open '" + path + "'");
  }
  ~GzipReader() { gzclose(file_); }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Reads up to `size` bytes; returns how many were read.
  int64_t read(void* buffer, int64_t size) {
    int64_t total = 0;
    auto* bytes = static_cast<char*>(buffer);
    while (total < size) {
      const auto chunk = static_cast<unsigned>(std::min<int64_t>(size - total, 1 << 30));
      const int got = gzread(file_, bytes + total, chunk);
      if (got < 0) {
        int code = 0;
        throw InputError("'" + path_ + "' is corrupt: " + gzerror(file_, &code));
      }
      if (got == 0) break;
      total += got;
    }
    return total;
  }

 private:
  std::string path_;
  gzFile file_;
};

uint32_t big_endian_u32(const std::array<uint8_t, 4>& bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

}  // namespace

torch::Tensor read_idx(const std::string& path) {
  GzipReader reader(path);
  auto fail = [&](const std::string& problem) -> InputError {
    return InputError("'" + path + "' is not a valid IDX file: " + problem);
  };

  std::array<uint8_t, 4> magic{};
  if (reader.read(magic.data(), 4) != 4) throw fail("shorter than its 4-byte header");
  if (magic[0] != 0 || magic[1] != 0) throw fail("wrong magic number");
  if (magic[2] != kUnsignedByte) {
    throw fail("element type " + std::to_string(magic[2]) + " is not unsigned byte (8)");
  }
  const int dimensions = magic[3];
  if (dimensions < 1 || dimensions > kMaxDimensions) {
    throw fail(std::to_string(dimensions) + " dimensions (expected 1 to 4)");
  }

  std::vector<int64_t> extents;
  int64_t elements = 1;
  for (int d = 0; d < dimensions; ++d) {
    std::array<uint8_t, 4> extent{};
    if (reader.read(extent.data(), 4) != 4) throw fail("truncated in its dimensions");
    extents.push_back(big_endian_u32(extent));
    if (extents.back() != 0 && elements > kMaxElements / extents.back()) {
      throw fail("declares more than 4 GiB of data");
    }
    elements *= extents.back();
  }

  auto data = torch::empty(extents, torch::kUInt8);
  const int64_t got = reader.read(data.data_ptr<uint8_t>(), elements);
  if (got != elements) {
    throw fail("truncated: the header declares " + std::to_string(elements) +
               " bytes of data, the file holds " + std::to_string(got));
  }
  char extra = 0;
  if (reader.read(&extra, 1) != 0) throw fail("has bytes after the declared data");
  return data;
}

}  // namespace qn
