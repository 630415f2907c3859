#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace qn {

// Exact bytes of a tensor as the compressed checkpoint stores it (docs/method.md section 7).
struct StorageBytes {
  int64_t codes = 0;     // packed intN weights or packed PQ codes
  int64_t codebook = 0;  // PQ centroids (fp16, or int8 plus scale and zero point)
  int64_t scales = 0;    // intN scales (fp32) and zero points (one byte each)
  int64_t plain = 0;     // tensors stored as they are (fp32 or fp16)

  int64_t total() const { return codes + codebook + scales + plain; }
  StorageBytes& operator+=(const StorageBytes& other) {
    codes += other.codes;
    codebook += other.codebook;
    scales += other.scales;
    plain += other.plain;
    return *this;
  }
};

// A weight in its compressed form: what a quantizer produces, what the checkpoint writer
// serialises and what the model computes with (decode()).
class CompressedTensor {
 public:
  virtual ~CompressedTensor() = default;

  // "fp32", "fp16", "int4", "pq", "pq+int8": the method, as tables and files name it.
  virtual std::string method() const = 0;
  virtual std::vector<int64_t> shape() const = 0;
  // The float32 weight this form stands for, in the original shape, on the device it was
  // compressed on. The quantized model computes with exactly these values.
  virtual torch::Tensor decode() const = 0;
  virtual StorageBytes storage() const = 0;

  int64_t numel() const;
};

}  // namespace qn
