#pragma once

#include <torch/types.h>

#include <string>
#include <utility>

namespace qn::cli {

// "RxC" -> {R, C}; InputError naming the text otherwise.
std::pair<int64_t, int64_t> parse_matrix_shape(const std::string& text);

// A raw little-endian float32 matrix, rows x cols, row-major. The file must hold exactly
// rows * cols * 4 bytes; anything else is an InputError naming the file and both sizes.
torch::Tensor read_f32_matrix(const std::string& path, int64_t rows, int64_t cols);

}  // namespace qn::cli
