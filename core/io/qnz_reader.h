#pragma once

#include <string>

#include "io/qnz_format.h"

namespace qn {

// Bytes in, plain structures out: checks the magic, the version, every length, offset and
// CRC-32, that each tensor's sections hold exactly the bytes its method and shape need, and
// the values a decoder would trust (scales finite and positive, zero points and PQ codes in
// range). Never executes anything from the file; never allocates more than the input's
// size plus the parsed header. Any problem is an InputError that says what is wrong.
QnzFile parse_qnz(std::string bytes);

// The file at `path` (errors name it).
QnzFile read_qnz_file(const std::string& path);

// Reader limits, part of the format (docs/qnz.md).
inline constexpr uint64_t kQnzMaxHeaderBytes = 16u << 20;
// The tensors may decode to at most this many times the file's bytes (plus 1 MiB): a
// hostile header cannot make a small file allocate gigabytes.
inline constexpr uint64_t kQnzMaxExpansion = 1024;

}  // namespace qn
