#include "io/qnz_format.h"

#include <zlib.h>

#include <stdexcept>

#include "quant/code_bits.h"

namespace qn {

uint32_t qnz_crc32(std::string_view bytes) {
  return static_cast<uint32_t>(crc32_z(crc32_z(0, nullptr, 0),
                                       reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

int64_t QnzTensor::numel() const {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

int QnzTensor::stored_bits() const {
  if (bits > 0) return bits;
  if (centroids > 0) return code_bits_for(centroids);
  return method == "fp16" ? 16 : 32;
}

const QnzSection& QnzTensor::section(std::string_view kind) const {
  for (const auto& section : sections) {
    if (section.kind == kind) return section;
  }
  throw std::logic_error("tensor '" + name + "' has no '" + std::string(kind) + "' section");
}

std::string_view QnzFile::data(const QnzSection& section) const {
  return std::string_view(bytes).substr(header_bytes + section.offset, section.bytes);
}

}  // namespace qn
