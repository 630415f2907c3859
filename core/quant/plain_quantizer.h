#pragma once

#include "quant/quantizer.h"

namespace qn {

enum class PlainWidth { Fp32, Fp16 };

// A tensor stored as it is: non-quantized parameters (biases, norms) and the fp32 baseline.
class PlainTensor final : public CompressedTensor {
 public:
  PlainTensor(const torch::Tensor& values, PlainWidth width);

  std::string method() const override { return width_ == PlainWidth::Fp32 ? "fp32" : "fp16"; }
  std::vector<int64_t> shape() const override { return values_.sizes().vec(); }
  torch::Tensor decode() const override { return values_; }
  StorageBytes storage() const override;

  PlainWidth width() const { return width_; }

 private:
  torch::Tensor values_;  // float32, already rounded to the stored width
  PlainWidth width_;
};

// quant.method "none": keeps weights in float.
class PlainQuantizer final : public Quantizer {
 public:
  explicit PlainQuantizer(PlainWidth width = PlainWidth::Fp32) : width_(width) {}

  std::string describe() const override;
  std::unique_ptr<CompressedTensor> compress(const torch::Tensor& weight,
                                             const LayerInfo& layer) const override;

 private:
  PlainWidth width_;
};

}  // namespace qn
