#pragma once

#include <torch/types.h>

namespace qn {

// Asymmetric affine quantization to unsigned N-bit codes (docs/method.md section 2.1):
//   code = clamp(round(w / s) + z, 0, 2^N - 1),   w_hat = (code - z) * s.
// Per tensor, scale and zero_point hold one value; per channel, one value per output
// channel (axis 0 of the weight). The arithmetic follows PyTorch's
// fake_quantize_per_{tensor,channel}_affine exactly (round half to even of w * (1/s)), so
// the two agree bit for bit on the same parameters.
struct AffineParams {
  torch::Tensor scale;       // float32, shape (1) or (C)
  torch::Tensor zero_point;  // int64, same shape, each in [0, 2^bits - 1]
  int bits = 8;
  bool per_channel = false;

  int64_t quant_max() const { return (int64_t{1} << bits) - 1; }
  int64_t channel_count() const { return scale.numel(); }
};

// Scale and zero point mapping [lo, hi] onto 0..2^bits-1, as PyTorch's observers compute
// them: the range is first widened to contain 0, so that zero (padding, pruned weights) is
// represented exactly. lo and hi are float tensors of shape (1) or (C).
AffineParams affine_params_from_range(const torch::Tensor& lo, const torch::Tensor& hi, int bits,
                                      bool per_channel);

// Quantize then dequantize: the float weight the quantized model computes with.
torch::Tensor fake_quantize(const torch::Tensor& weight, const AffineParams& params);

// The integer codes (uint8, same shape as weight), and back.
torch::Tensor quantize_to_codes(const torch::Tensor& weight, const AffineParams& params);
torch::Tensor dequantize_codes(const torch::Tensor& codes, const AffineParams& params);

// Throws InputError unless 2 <= bits <= 8 (the int quantizer's range).
void check_int_bits(int bits);

}  // namespace qn
