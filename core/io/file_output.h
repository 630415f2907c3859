#pragma once

#include <string>
#include <string_view>

namespace qn {

// Writes `bytes` to `path` through a temporary file in the same folder renamed over it, so
// that a reader never sees half a file and a failed write leaves an old file intact.
// Errors name the path.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace qn
