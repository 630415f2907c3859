#pragma once

#include <torch/types.h>

#include <cstdint>

#include "quant/pq_quantizer.h"

namespace qn {

// A product-quantized weight W (rows x row_length, blocks of b along each row: a Linear's
// (out, in), a 1x1 convolution's (out, in), an embedding table's (tokens, dim)) computed
// with from its codes, never kept decoded. For an input row x, the dot product of each
// input block x_j with each of the K centroids is one small table, (row_length / b) x K,
// made by one GEMM over all rows of the batch; then output i sums, over the blocks j, the
// table entry its code c_ij picks:
//
//   y_i = sum_j  x_j . centroid[c_ij]  =  sum_j  table[j][c_ij]
//
// (AQLM's and LUT-NN's CPU formulation). Per input row that is row_length * K multiply-adds
// for the tables and rows * row_length / b lookups, against rows * row_length multiply-adds
// for the dense product, and it reads the codes (b / 4 times smaller than an fp32 weight
// at one byte a code) instead of the weight: it pays at small batches, where the dense
// product waits on memory (docs/export.md; experiments/compact_export has the figures).
// Where the tables cannot pay (tables_pay() false: fewer outputs than K + outputs / b), the
// weight is decoded for the call and dropped after it: memory still holds only the codes.
// Holds the codes transposed, one byte each for K <= 256 (four above), and the centroids
// in fp32.
class PqLookup {
 public:
  explicit PqLookup(const PqTensor& weight);

  // Whether the lookups do less arithmetic than the dense product, per input row:
  // K * row_length multiply-adds plus rows * row_length / b lookups against rows *
  // row_length multiply-adds, i.e. K + rows / b < rows. Not so for a layer with fewer
  // outputs than centroids (a classifier, a narrow 1x1 convolution): tables would cost
  // more than the weight they replace.
  bool tables_pay() const;

  // input (..., row_length) float32 on the CPU -> (..., rows), plus `bias` when defined: the
  // linear map by W, as torch::linear(input, W, bias) to float rounding.
  torch::Tensor linear(const torch::Tensor& input, const torch::Tensor& bias = {}) const;
  // A 1x1 convolution by W (out, in, 1, 1) at `stride`, no padding: (N, in, H, W) ->
  // (N, out, H', W').
  torch::Tensor pointwise_conv(const torch::Tensor& input, const torch::Tensor& bias,
                               int64_t stride) const;
  // The rows of W that `indices` name, decoded: an embedding lookup, (...) -> (..., dim).
  torch::Tensor rows(const torch::Tensor& indices) const;
  // W decoded, (rows, row_length): what a call computes with where the tables do not pay.
  torch::Tensor decoded() const;

  int64_t row_count() const { return rows_; }
  int64_t row_length() const { return blocks_per_row_ * block_size_; }
  int64_t bytes() const;  // held: codes and centroids

 private:
  template <class Code>
  void accumulate(const float* tables, float* output, int64_t count) const;

  int64_t rows_, blocks_per_row_, block_size_, centroid_count_;
  torch::Tensor codes_;      // (blocks_per_row, rows): uint8 for K <= 256, else int32
  torch::Tensor centroids_;  // (K, b) float32
};

}  // namespace qn
