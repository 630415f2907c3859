#pragma once

#include <cstddef>
#include <string_view>

namespace qn {

// The byte offset of the first invalid UTF-8 sequence in `text` (a bad lead or continuation
// byte, a truncated sequence, an overlong form, a surrogate, beyond U+10FFFF), or npos.
size_t first_invalid_utf8(std::string_view text);

}  // namespace qn
