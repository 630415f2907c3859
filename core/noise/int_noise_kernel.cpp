#include "noise/int_noise_kernel.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "noise/counter_random.h"

namespace qn {
namespace {

// One channel's affine parameters, as fake_quantize computes with them (float32).
struct ChannelParams {
  float inverse_scale, scale, zero_point;
};

// The correction of weights [begin, end) of one channel, `lanes` holding their 16-bit
// uniform numbers. Written so that the compiler vectorises it (no call, selects rather
// than branches, no aliasing); GCC does so only without -ftrapping-math, which this file
// is compiled without (core/CMakeLists.txt): it changes no result, only lets the compiler
// compute a value it then discards.
void correct_range(const float* __restrict weight, float* __restrict correction,
                   const int16_t* __restrict lanes, int64_t count, const ChannelParams& channel,
                   float quant_max, int16_t threshold) {
  // Round half to even, as std::nearbyint and LibTorch's round: exact below 2^22 in
  // magnitude; anything larger lands outside [0, quant_max] either way and is clamped.
  constexpr float kRoundingShift = 12582912.0f;  // 1.5 * 2^23
  const float inverse_scale = channel.inverse_scale, scale = channel.scale;
  const float zero_point = channel.zero_point;
  for (int64_t i = 0; i < count; ++i) {
    const float rounded = (weight[i] * inverse_scale + kRoundingShift) - kRoundingShift;
    float code = rounded + zero_point;
    code = code < 0.0f ? 0.0f : code;
    code = code > quant_max ? quant_max : code;
    const float delta = (code - zero_point) * scale - weight[i];
    correction[i] = lanes[i] < threshold ? delta : 0.0f;
  }
}

}  // namespace

torch::Tensor int_noise_correction_cpu(const torch::Tensor& weight, const AffineParams& params,
                                       double rate) {
  TORCH_CHECK(weight.device().is_cpu() && weight.scalar_type() == torch::kFloat,
              "int_noise_correction_cpu: a float32 CPU weight");
  TORCH_CHECK(!params.per_channel || (weight.dim() >= 1 && weight.size(0) == params.scale.numel()),
              "per-channel parameters do not match the weight's first dimension");
  const auto input = weight.contiguous();
  auto correction = torch::empty_like(input);
  // The same float32 parameters fake_quantize multiplies by.
  const auto inverse_scale = (1.0 / params.scale).to(torch::kCPU).contiguous();
  const auto scale = params.scale.to(torch::kCPU, torch::kFloat).contiguous();
  const auto zero_point = params.zero_point.to(torch::kCPU, torch::kFloat).contiguous();
  const int64_t count = input.numel();
  const int64_t channel_size = params.per_channel ? count / scale.numel() : count;
  const int16_t threshold = selection_threshold(rate);
  const auto quant_max = static_cast<float>(params.quant_max());
  const uint64_t seed = draw_counter_seed();
  const float* in = input.data_ptr<float>();
  float* out = correction.data_ptr<float>();
  const float* inverse_scales = inverse_scale.data_ptr<float>();
  const float* scales = scale.data_ptr<float>();
  const float* zero_points = zero_point.data_ptr<float>();

  // Chunks of 1024 weights (256 random words) start at multiples of 4: weight i's number
  // is lane i % 4 of word i / 4 whichever thread draws it.
  constexpr int64_t kChunk = 1024;
  at::parallel_for(0, (count + kChunk - 1) / kChunk, 16, [&](int64_t first, int64_t last) {
    int16_t lanes[kChunk];
    for (int64_t chunk = first; chunk < last; ++chunk) {
      const int64_t begin = chunk * kChunk;
      const int64_t end = std::min(count, begin + kChunk);
      for (int64_t word = 0; word < (end - begin + 3) / 4; ++word) {
        const uint64_t bits = counter_word(seed, uint64_t(begin / 4 + word));
        for (int lane = 0; lane < 4; ++lane) {
          lanes[4 * word + lane] = static_cast<int16_t>(bits >> (16 * lane));
        }
      }
      for (int64_t start = begin; start < end;) {  // split where a channel ends
        const int64_t c = start / channel_size;
        const int64_t stop = std::min(end, (c + 1) * channel_size);
        const ChannelParams channel{inverse_scales[params.per_channel ? c : 0],
                                    scales[params.per_channel ? c : 0],
                                    zero_points[params.per_channel ? c : 0]};
        correct_range(in + start, out + start, lanes + (start - begin), stop - start, channel,
                      quant_max, threshold);
        start = stop;
      }
    }
  });
  return correction;
}

}  // namespace qn
