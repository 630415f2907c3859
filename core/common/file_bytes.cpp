#include "common/file_bytes.h"

#include <fstream>
#include <sstream>

#include "common/error.h"

namespace qn {

std::string read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open '" + path + "'");
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) throw InputError("cannot read '" + path + "'");
  return std::move(contents).str();
}

}  // namespace qn
