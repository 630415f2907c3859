#include "quant/plain_quantizer.h"

#include <torch/types.h>

namespace qn {

PlainTensor::PlainTensor(const torch::Tensor& values, PlainWidth width) : width_(width) {
  const auto detached = values.detach();
  values_ = width == PlainWidth::Fp16 ? detached.to(torch::kHalf).to(torch::kFloat)
                                      : detached.to(torch::kFloat).clone();
}

StorageBytes PlainTensor::storage() const {
  StorageBytes bytes;
  bytes.plain = values_.numel() * (width_ == PlainWidth::Fp32 ? 4 : 2);
  return bytes;
}

std::string PlainQuantizer::describe() const {
  return width_ == PlainWidth::Fp32 ? "fp32" : "fp16";
}

std::unique_ptr<CompressedTensor> PlainQuantizer::compress(const torch::Tensor& weight,
                                                           const LayerInfo& /*layer*/) const {
  return std::make_unique<PlainTensor>(weight, width_);
}

}  // namespace qn
