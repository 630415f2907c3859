#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace qn {

// The .qnz format is little-endian. Values are assembled byte by byte, so these work on any
// host; tensor payloads are copied as they are, which the checkpoint code checks is right.

inline void append_u32(std::string& out, uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

inline void append_f32(std::string& out, float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  append_u32(out, bits);
}

// The caller has checked that 4 bytes are there.
inline uint32_t read_u32(std::string_view bytes, size_t offset) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + static_cast<size_t>(i)]);
  }
  return value;
}

inline float read_f32(std::string_view bytes, size_t offset) {
  const uint32_t bits = read_u32(bytes, offset);
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

}  // namespace qn
