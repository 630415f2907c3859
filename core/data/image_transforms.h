#pragma once

#include <array>
#include <cstdint>
#include <random>

#include "data/image_decode.h"

namespace qn {

// torchvision's image transforms on a decoded image, computed as torchvision computes them
// on a Pillow image (docs/data.md, Streaming images):
// - resizing is Pillow's separable resampling (its Resample.c: the filter widened by the
//   shrink factor, so antialiased; 22-bit fixed-point weights; rounded to 8 bits after the
//   horizontal pass and after the vertical), so the deterministic transforms give
//   torchvision's pixels;
// - RandomResizedCrop draws its box as torchvision's get_params does, from this process's
//   own generator (the same distribution, not the same draws);
// - ToTensor then Normalize: value / 255, minus the mean, over the deviation.

enum class Resampling { Bilinear, Bicubic };  // Pillow's BILINEAR and BICUBIC (a = -0.5)

// A region of an image, in pixels.
struct PixelBox {
  int64_t left = 0;
  int64_t top = 0;
  int64_t width = 0;
  int64_t height = 0;
};

// RandomResizedCrop.get_params: ten tries at an area of `scale` of the image's and an aspect
// ratio log-uniform in `ratio`, placed uniformly; else the centre crop nearest the ratios.
PixelBox random_resized_crop_box(ImageSize size, std::mt19937_64& random,
                                 std::array<double, 2> scale = {0.08, 1.0},
                                 std::array<double, 2> ratio = {3.0 / 4.0, 4.0 / 3.0});

// Resize(shorter side `side`) then CenterCrop(`crop`): the resized size, and the box of the
// resized image that the crop keeps (torchvision rounds the offsets half to even).
struct ResizeThenCrop {
  ImageSize resized;
  PixelBox kept;
};
ResizeThenCrop resize_then_centre_crop(ImageSize size, int64_t side, int64_t crop);

// Pillow's image.crop(`box`).resize(`size`), of which only `kept` (a box of the resized
// image) is computed and returned: the outputs outside it are never needed.
RgbImage resize_region(const RgbImage& image, const PixelBox& box, ImageSize size,
                       const PixelBox& kept, Resampling resampling);

// ToTensor + Normalize, optionally mirrored left to right: writes (3, height, width) floats.
struct Normalization {
  std::array<float, 3> mean{0, 0, 0};
  std::array<float, 3> deviation{1, 1, 1};
};
Normalization imagenet_normalization();  // 0.485/0.456/0.406, 0.229/0.224/0.225
void write_normalized(const RgbImage& image, bool mirror, const Normalization& normalization, float* out);

}  // namespace qn
