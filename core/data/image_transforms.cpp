#include "data/image_transforms.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "common/error.h"

namespace qn {
namespace {

// Pillow's fixed-point weights: 32 bits less 8 for the pixel and 2 for the sum's sign and
// overshoot (bicubic's negative lobes).
constexpr int kPrecisionBits = 32 - 8 - 2;

double bilinear(double x) {
  x = std::abs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

double bicubic(double x) {
  constexpr double a = -0.5;
  x = std::abs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

// One output pixel's taps along one axis: the first input pixel and its weights.
struct Taps {
  int64_t first = 0;
  std::vector<int32_t> weights;
};

// Pillow's precompute_coeffs and normalize_coeffs_8bpc for the outputs [kept_from,
// kept_from + kept) of an axis of `in_size` pixels resized to `out_size`.
std::vector<Taps> taps(int64_t in_size, int64_t out_size, int64_t kept_from, int64_t kept, Resampling resampling) {
  const auto filter = resampling == Resampling::Bilinear ? bilinear : bicubic;
  const double support_of_filter = resampling == Resampling::Bilinear ? 1.0 : 2.0;
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double filter_scale = std::max(scale, 1.0);
  const double support = support_of_filter * filter_scale;
  const double inverse_scale = 1.0 / filter_scale;  // multiplied, as Pillow does: the same rounding
  std::vector<Taps> all;
  all.reserve(static_cast<size_t>(kept));
  for (int64_t out = kept_from; out < kept_from + kept; ++out) {
    const double centre = (static_cast<double>(out) + 0.5) * scale;
    const auto first = std::max<int64_t>(static_cast<int64_t>(centre - support + 0.5), 0);
    const auto end = std::min<int64_t>(static_cast<int64_t>(centre + support + 0.5), in_size);
    std::vector<double> weights;
    double sum = 0;
    for (int64_t x = first; x < end; ++x) {
      weights.push_back(filter((static_cast<double>(x) - centre + 0.5) * inverse_scale));
      sum += weights.back();
    }
    Taps tap{first, {}};
    for (double weight : weights) {
      if (sum != 0.0) weight /= sum;
      const double fixed = weight * (1 << kPrecisionBits);
      tap.weights.push_back(static_cast<int32_t>(weight < 0 ? fixed - 0.5 : fixed + 0.5));
    }
    all.push_back(std::move(tap));
  }
  return all;
}

constexpr int32_t kHalf = int32_t{1} << (kPrecisionBits - 1);  // rounds the fixed-point sums

uint8_t clip8(int32_t value) {
  if (value <= 0) return 0;
  return static_cast<uint8_t>(std::min<int32_t>(value >> kPrecisionBits, 255));
}

// Pillow's horizontal pass: rows [first_row, first_row + rows) of `region` (a box of `in`),
// each resampled along x with `columns`. Sums in 32 bits as Pillow's: 255 times the weights'
// absolute sum (under 1.3 * 2^22 for bicubic) cannot overflow them.
RgbImage resample_rows(const RgbImage& in, const PixelBox& region, int64_t first_row, int64_t rows,
                       const std::vector<Taps>& columns) {
  RgbImage out{static_cast<int64_t>(columns.size()), rows, {}};
  out.pixels.resize(static_cast<size_t>(out.width * rows * 3));
  for (int64_t y = 0; y < rows; ++y) {
    const uint8_t* source = in.row(region.top + first_row + y) + region.left * 3;
    uint8_t* target = out.pixels.data() + y * out.width * 3;
    for (int64_t x = 0; x < out.width; ++x) {
      const auto& tap = columns[static_cast<size_t>(x)];
      const uint8_t* pixel = source + tap.first * 3;
      int32_t red = kHalf, green = kHalf, blue = kHalf;
      for (const int32_t weight : tap.weights) {
        red += pixel[0] * weight;
        green += pixel[1] * weight;
        blue += pixel[2] * weight;
        pixel += 3;
      }
      target[x * 3] = clip8(red);
      target[x * 3 + 1] = clip8(green);
      target[x * 3 + 2] = clip8(blue);
    }
  }
  return out;
}

// Pillow's vertical pass over `in`, whose row 0 is input row `row_offset`: each output row
// sums whole input rows into 32-bit accumulators (the loop the compiler vectorises).
RgbImage resample_columns(const RgbImage& in, int64_t row_offset, const std::vector<Taps>& rows) {
  RgbImage out{in.width, static_cast<int64_t>(rows.size()), {}};
  out.pixels.resize(static_cast<size_t>(out.width * out.height * 3));
  const int64_t stride = in.width * 3;
  std::vector<int32_t> sums(static_cast<size_t>(stride));
  for (int64_t y = 0; y < out.height; ++y) {
    const auto& tap = rows[static_cast<size_t>(y)];
    const uint8_t* source = in.pixels.data() + (tap.first - row_offset) * stride;
    std::fill(sums.begin(), sums.end(), kHalf);
    for (const int32_t weight : tap.weights) {
      for (int64_t i = 0; i < stride; ++i) sums[static_cast<size_t>(i)] += source[i] * weight;
      source += stride;
    }
    uint8_t* target = out.pixels.data() + y * stride;
    for (int64_t i = 0; i < stride; ++i) target[i] = clip8(sums[static_cast<size_t>(i)]);
  }
  return out;
}

// Rows [top, top + height) and columns [left, left + width) of `in` as an image of their own.
RgbImage copy_box(const RgbImage& in, const PixelBox& box) {
  RgbImage out{box.width, box.height, {}};
  out.pixels.resize(static_cast<size_t>(box.width * box.height * 3));
  for (int64_t y = 0; y < box.height; ++y) {
    std::copy_n(in.row(box.top + y) + box.left * 3, box.width * 3, out.pixels.data() + y * box.width * 3);
  }
  return out;
}

// Python's round(), half to even, as torchvision's offsets use it.
int64_t round_half_even(double value) { return static_cast<int64_t>(std::nearbyint(value)); }

}  // namespace

PixelBox random_resized_crop_box(ImageSize size, std::mt19937_64& random, std::array<double, 2> scale,
                                 std::array<double, 2> ratio) {
  const double area = static_cast<double>(size.width * size.height);
  std::uniform_real_distribution<double> area_share(scale[0], scale[1]);
  std::uniform_real_distribution<double> log_aspect(std::log(ratio[0]), std::log(ratio[1]));
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * area_share(random);
    const double aspect = std::exp(log_aspect(random));
    const auto width = round_half_even(std::sqrt(target_area * aspect));
    const auto height = round_half_even(std::sqrt(target_area / aspect));
    if (width > 0 && width <= size.width && height > 0 && height <= size.height) {
      const auto top = std::uniform_int_distribution<int64_t>(0, size.height - height)(random);
      const auto left = std::uniform_int_distribution<int64_t>(0, size.width - width)(random);
      return {left, top, width, height};
    }
  }
  const double in_ratio = static_cast<double>(size.width) / static_cast<double>(size.height);
  int64_t width = size.width, height = size.height;
  if (in_ratio < ratio[0]) {
    height = round_half_even(static_cast<double>(width) / ratio[0]);
  } else if (in_ratio > ratio[1]) {
    width = round_half_even(static_cast<double>(height) * ratio[1]);
  }
  return {(size.width - width) / 2, (size.height - height) / 2, width, height};
}

ResizeThenCrop resize_then_centre_crop(ImageSize size, int64_t side, int64_t crop) {
  if (crop > side) {
    throw InputError("the centre crop (" + std::to_string(crop) + " px) is larger than the resized shorter side (" +
                     std::to_string(side) + " px)");
  }
  const bool wide = size.width > size.height;
  const int64_t shorter = wide ? size.height : size.width;
  const int64_t longer = wide ? size.width : size.height;
  const auto resized_longer = static_cast<int64_t>(static_cast<double>(side) * static_cast<double>(longer) /
                                                   static_cast<double>(shorter));
  ResizeThenCrop result;
  result.resized = wide ? ImageSize{resized_longer, side} : ImageSize{side, resized_longer};
  result.kept = {round_half_even(static_cast<double>(result.resized.width - crop) / 2.0),
                 round_half_even(static_cast<double>(result.resized.height - crop) / 2.0), crop, crop};
  return result;
}

RgbImage resize_region(const RgbImage& image, const PixelBox& box, ImageSize size, const PixelBox& kept,
                       Resampling resampling) {
  const bool horizontal = size.width != box.width;
  const bool vertical = size.height != box.height;
  // Pillow skips a pass whose axis keeps its size: that axis is copied, not filtered.
  const auto rows = vertical ? taps(box.height, size.height, kept.top, kept.height, resampling)
                             : std::vector<Taps>{};
  const int64_t first_row = vertical ? rows.front().first : kept.top;
  const int64_t row_count =
      vertical ? rows.back().first + static_cast<int64_t>(rows.back().weights.size()) - first_row : kept.height;
  RgbImage across;
  if (horizontal) {
    across = resample_rows(image, box, first_row, row_count,
                           taps(box.width, size.width, kept.left, kept.width, resampling));
  } else {
    across = copy_box(image, {box.left + kept.left, box.top + first_row, kept.width, row_count});
  }
  return vertical ? resample_columns(across, first_row, rows) : across;
}

Normalization imagenet_normalization() { return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}}; }

void write_normalized(const RgbImage& image, bool mirror, const Normalization& normalization, float* out) {
  // ToTensor divides by 255, Normalize subtracts and divides: a table of the 256 results a
  // channel can take, computed by the same expression.
  std::array<std::array<float, 256>, 3> values{};
  for (int channel = 0; channel < 3; ++channel) {
    for (int level = 0; level < 256; ++level) {
      values[channel][level] = (static_cast<float>(level) / 255.0f - normalization.mean[channel]) /
                               normalization.deviation[channel];
    }
  }
  const int64_t plane = image.width * image.height;
  for (int64_t y = 0; y < image.height; ++y) {
    const uint8_t* source = image.row(y);
    float* red = out + y * image.width;
    for (int64_t x = 0; x < image.width; ++x) {
      const uint8_t* pixel = source + (mirror ? image.width - 1 - x : x) * 3;
      red[x] = values[0][pixel[0]];
      red[plane + x] = values[1][pixel[1]];
      red[2 * plane + x] = values[2][pixel[2]];
    }
  }
}

}  // namespace qn
