#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

#include "quant/layer_kind.h"

namespace qn {

// Block sizes per layer kind, as `quant.block_size` gives them (a number for all layers or
// one per kind). Defaults follow docs/method.md section 3.2: 8 for Linear and Embedding,
// 4 for 1x1 convolutions, 9 (a whole 3x3 kernel) for kxk convolutions.
struct BlockSizes {
  int64_t linear = 8;
  int64_t conv1x1 = 4;
  int64_t conv = 9;
  int64_t embedding = 8;

  static BlockSizes uniform(int64_t size) { return {size, size, size, size}; }
  // The size the layer's kind asks for. Where that is the default and does not divide the
  // weight's rows (squeeze-excitation's 10 channels under b = 4, a 5x5 kernel's 25 under
  // b = 9), the largest size below it that does: any architecture compresses with the
  // defaults, and the size preview states each fallback (fallback_reason). A size the user
  // chose is kept, and a layer it does not divide is refused (BlockLayout).
  int64_t for_weight(LayerKind kind, const std::vector<int64_t>& shape) const;
  // "4 does not divide in_channels = 10" where for_weight falls back; "" where it does not.
  std::string fallback_reason(LayerKind kind, const std::vector<int64_t>& shape) const;
  // "b=8", or "b=8/4/9/8 (linear/conv1x1/conv/embedding)" when they differ.
  std::string describe() const;

 private:
  int64_t asked_for(LayerKind kind, const std::vector<int64_t>& shape) const;
};

// How product quantization splits one layer's weight into blocks of b (the paper's layout,
// docs/method.md section 3.2). The weight is viewed as rows, one per output unit, each
// row taken in memory order and cut into contiguous blocks of b:
//
//   Linear     W (out, in)          row i = W[i, :]; block j = W[i, j*b : (j+1)*b], along in
//   Conv2d 1x1 W (out, in, 1, 1)    row i = W[i, :, 0, 0]: along in_channels
//   Conv2d kxk W (out, in, k, k)    row i = W[i] as (in, k, k); with b = k*k, block j is the
//                                   whole kernel W[i, j]; any b dividing in*k*k is allowed
//   depthwise  W (out, 1, k, k)     the same, b divides k*k (b = k*k: one block a channel)
//   Embedding  W (num, dim)         row i = the vector of token i: along the embedding dim
//
// blocks() has shape (rows * blocks_per_row, b); block (i, j) is row i * blocks_per_row + j.
// The constructor validates the shape and the block size and names the layer on error.
class BlockLayout {
 public:
  BlockLayout(LayerInfo layer, std::vector<int64_t> weight_shape, int64_t block_size);

  // (block_count, block_size) view of the weight; checks the weight's shape.
  torch::Tensor to_blocks(const torch::Tensor& weight) const;
  // The inverse: a (block_count, block_size) tensor back to the weight's shape.
  torch::Tensor from_blocks(const torch::Tensor& blocks) const;

  const LayerInfo& layer() const { return layer_; }
  const std::vector<int64_t>& weight_shape() const { return weight_shape_; }
  int64_t block_size() const { return block_size_; }
  int64_t rows() const { return weight_shape_[0]; }
  int64_t row_length() const { return row_length_; }
  int64_t blocks_per_row() const { return row_length_ / block_size_; }
  int64_t block_count() const { return rows() * blocks_per_row(); }

 private:
  LayerInfo layer_;
  std::vector<int64_t> weight_shape_;
  int64_t block_size_;
  int64_t row_length_;
};

// "[64, 32, 3, 3]" for messages.
std::string shape_string(const std::vector<int64_t>& shape);

}  // namespace qn
