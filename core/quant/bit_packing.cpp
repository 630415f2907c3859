#include "quant/bit_packing.h"

#include <torch/types.h>

#include <string>

#include "common/error.h"

namespace qn {
namespace {

void check_bits(int bits) {
  TORCH_CHECK(bits >= 0 && bits <= 16, "bit packing supports 0 to 16 bits, got ", bits);
}

// (x.unsqueeze(-1) >> [0, 1, ..., width-1]) & 1: the binary digits of x, least significant first.
torch::Tensor binary_digits(const torch::Tensor& x, int width) {
  const auto shifts = torch::arange(width, x.options());
  return torch::bitwise_and(torch::bitwise_right_shift(x.unsqueeze(-1), shifts), 1);
}

// The inverse of binary_digits along the last dimension.
torch::Tensor from_binary_digits(const torch::Tensor& digits) {
  const auto shifts = torch::arange(digits.size(-1), digits.options());
  return torch::bitwise_left_shift(digits, shifts).sum(-1);
}

}  // namespace

int64_t packed_byte_count(int64_t count, int bits) {
  check_bits(bits);
  return (count * bits + 7) / 8;
}

torch::Tensor pack_bits(const torch::Tensor& codes, int bits) {
  check_bits(bits);
  const int64_t count = codes.numel();
  const auto bytes_options = codes.options().dtype(torch::kUInt8);
  if (bits == 0 || count == 0) return torch::zeros({packed_byte_count(count, bits)}, bytes_options);
  const auto flat = codes.reshape({-1}).to(torch::kInt);
  TORCH_CHECK(flat.min().item<int64_t>() >= 0 && flat.max().item<int64_t>() < (1 << bits),
              "codes out of range for ", bits, "-bit packing");
  auto stream = binary_digits(flat, bits).reshape({-1});
  const int64_t padding = packed_byte_count(count, bits) * 8 - stream.numel();
  stream = torch::constant_pad_nd(stream, {0, padding});
  return from_binary_digits(stream.view({-1, 8})).to(torch::kUInt8);
}

torch::Tensor unpack_bits(const torch::Tensor& packed, int bits, int64_t count) {
  check_bits(bits);
  const int64_t needed = packed_byte_count(count, bits);
  if (packed.numel() < needed) {
    throw InputError("packed codes hold " + std::to_string(packed.numel()) + " bytes, but " +
                     std::to_string(count) + " codes of " + std::to_string(bits) + " bits need " +
                     std::to_string(needed));
  }
  const auto long_options = packed.options().dtype(torch::kLong);
  if (bits == 0 || count == 0) return torch::zeros({count}, long_options);
  const auto bytes = packed.reshape({-1}).narrow(0, 0, needed).to(torch::kInt);
  const auto stream = binary_digits(bytes, 8).reshape({-1}).narrow(0, 0, count * bits);
  return from_binary_digits(stream.view({count, bits})).to(torch::kLong);
}

}  // namespace qn
