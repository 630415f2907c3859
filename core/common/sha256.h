#pragma once

#include <string>
#include <string_view>

namespace qn {

// The SHA-256 of `bytes` as 64 lowercase hex digits (OpenSSL): the artifacts table's
// fingerprint of an exported file.
std::string sha256_hex(std::string_view bytes);

}  // namespace qn
