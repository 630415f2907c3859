#include "matrix_file.h"

#include <torch/types.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "common/error.h"

namespace qn::cli {

std::pair<int64_t, int64_t> parse_matrix_shape(const std::string& text) {
  static const std::regex pattern(R"(^\s*([0-9]{1,9})\s*[xX]\s*([0-9]{1,9})\s*$)");
  std::smatch match;
  if (!std::regex_match(text, match, pattern)) {
    throw InputError("shape '" + text + "' is not of the form ROWSxCOLS (e.g. 4096x1024)");
  }
  const int64_t rows = std::stoll(match[1]);
  const int64_t cols = std::stoll(match[2]);
  if (rows == 0 || cols == 0) throw InputError("shape '" + text + "' has a zero dimension");
  return {rows, cols};
}

torch::Tensor read_f32_matrix(const std::string& path, int64_t rows, int64_t cols) {
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  if (error) throw InputError("cannot read '" + path + "': " + error.message());
  const auto expected = static_cast<uintmax_t>(rows * cols) * sizeof(float);
  if (bytes != expected) {
    throw InputError("'" + path + "' holds " + std::to_string(bytes) + " bytes, but a " +
                     std::to_string(rows) + "x" + std::to_string(cols) + " float32 matrix needs " +
                     std::to_string(expected));
  }
  static_assert(sizeof(float) == 4 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                "the file is little-endian float32, read as is");
  auto matrix = torch::empty({rows, cols}, torch::kFloat);
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(matrix.data_ptr<float>()),
               static_cast<std::streamsize>(bytes))) {
    throw InputError("cannot read '" + path + "'");
  }
  if (!torch::isfinite(matrix).all().item<bool>()) {
    throw InputError("'" + path + "' contains NaN or infinite values");
  }
  return matrix;
}

}  // namespace qn::cli
