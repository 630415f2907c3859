#pragma once

#include "quant/affine_quantizer.h"
#include "quant/quantizer.h"
#include "quant/range_observer.h"

namespace qn {

// An intN weight: N-bit codes (stored packed, two int4 a byte) with fp32 scales and
// one-byte zero points, one pair per tensor or per output channel.
class IntTensor final : public CompressedTensor {
 public:
  IntTensor(AffineParams params, torch::Tensor codes);

  std::string method() const override { return "int" + std::to_string(params_.bits); }
  std::vector<int64_t> shape() const override { return codes_.sizes().vec(); }
  torch::Tensor decode() const override { return dequantize_codes(codes_, params_); }
  StorageBytes storage() const override;

  const AffineParams& params() const { return params_; }
  const torch::Tensor& codes() const { return codes_; }  // uint8, the weight's shape

 private:
  AffineParams params_;
  torch::Tensor codes_;
};

struct IntOptions {
  int bits = 8;
  RangeObserver observer = RangeObserver::MinMax;
};

// quant.method "int": scalar intN, 2..8 bits.
class IntQuantizer final : public Quantizer {
 public:
  explicit IntQuantizer(IntOptions options);  // throws InputError on bad bits

  std::string describe() const override;
  std::unique_ptr<CompressedTensor> compress(const torch::Tensor& weight,
                                             const LayerInfo& layer) const override;
  // The same, as the concrete type (codebooks are stored through it).
  IntTensor encode(const torch::Tensor& weight) const;

 private:
  IntOptions options_;
};

}  // namespace qn
