#pragma once

#include <string>

namespace qn {

// The whole file's bytes, or an InputError naming it.
std::string read_file_bytes(const std::string& path);

}  // namespace qn
