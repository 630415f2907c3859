#pragma once

#include <torch/types.h>

#include <string>

namespace qn {

// An IDX file (the MNIST family's format), gzipped or raw:
//   bytes 0-1  zero
//   byte  2    element type: 0x08 unsigned byte (the only type image sets use)
//   byte  3    number of dimensions, 1 to 4
//   then one big-endian uint32 extent a dimension, then the elements, row-major.
// Returns a uint8 tensor of those extents. Anything else (a short or corrupt file, another
// element type, data missing or left over) is an InputError naming the file and the problem.
torch::Tensor read_idx(const std::string& path);

}  // namespace qn
