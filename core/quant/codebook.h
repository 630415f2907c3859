#pragma once

#include <torch/types.h>

#include <optional>
#include <string>

#include "quant/int_quantizer.h"

namespace qn {

// How PQ centroids are stored: fp16 (the paper's count), or int8 with one scale and zero
// point for the whole codebook (iPQ + int8, docs/method.md section 3.4).
enum class CodebookFormat { Fp16, Int8 };

CodebookFormat parse_codebook_bits(int centroid_bits);  // 16 -> Fp16, 8 -> Int8
std::string to_string(CodebookFormat format);

// K centroids of b values each, rounded to their storage format. centroids() are the float
// values the model computes with, exactly as the file will give them back.
class Codebook {
 public:
  // Rounds float centroids (K, b) to `format`.
  static Codebook store(const torch::Tensor& centroids, CodebookFormat format);
  // A codebook as a checkpoint holds it: fp16 values (K, b), or its int8 form.
  static Codebook from_fp16(const torch::Tensor& half_centroids);
  static Codebook from_int8(IntTensor int8);

  const torch::Tensor& centroids() const { return centroids_; }  // (K, b) float32
  CodebookFormat format() const { return format_; }
  int64_t size() const { return centroids_.size(0); }
  int64_t block_size() const { return centroids_.size(1); }
  int64_t bytes() const;
  // The int8 form (codes with scale and zero point), for Int8 codebooks.
  const std::optional<IntTensor>& int8() const { return int8_; }

 private:
  Codebook(torch::Tensor centroids, CodebookFormat format, std::optional<IntTensor> int8)
      : centroids_(std::move(centroids)), format_(format), int8_(std::move(int8)) {}

  torch::Tensor centroids_;
  CodebookFormat format_;
  std::optional<IntTensor> int8_;
};

}  // namespace qn
