#include "quant/int_quantizer.h"

#include <torch/types.h>

#include "common/error.h"
#include "quant/bit_packing.h"

namespace qn {

// A scale is stored as fp32, a zero point (0..2^N-1, N <= 8) as one byte.
constexpr int64_t kScaleBytes = 4;
constexpr int64_t kZeroPointBytes = 1;

IntTensor::IntTensor(AffineParams params, torch::Tensor codes)
    : params_(std::move(params)), codes_(std::move(codes)) {}

StorageBytes IntTensor::storage() const {
  StorageBytes bytes;
  bytes.codes = packed_byte_count(codes_.numel(), params_.bits);
  bytes.scales = params_.channel_count() * (kScaleBytes + kZeroPointBytes);
  return bytes;
}

IntQuantizer::IntQuantizer(IntOptions options) : options_(options) {
  check_int_bits(options_.bits);
}

std::string IntQuantizer::describe() const {
  return "int" + std::to_string(options_.bits) + " (" + to_string(options_.observer) + ")";
}

IntTensor IntQuantizer::encode(const torch::Tensor& weight) const {
  const auto w = weight.detach().to(torch::kFloat);
  auto params = observe_range(w, options_.bits, options_.observer);
  auto codes = quantize_to_codes(w, params);
  return IntTensor(std::move(params), std::move(codes));
}

std::unique_ptr<CompressedTensor> IntQuantizer::compress(const torch::Tensor& weight,
                                                         const LayerInfo& layer) const {
  if (weight.numel() == 0) throw InputError("layer '" + layer.name + "': the weight is empty");
  return std::make_unique<IntTensor>(encode(weight));
}

}  // namespace qn
