#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qn {

// Decoding an image file's bytes to 8-bit RGB, as Pillow does, so that a model trained in
// PyTorch on the same files sees the same pixels (docs/data.md, Streaming images).
//
// - JPEG through libjpeg-turbo's TurboJPEG API with the settings Pillow uses (accurate
//   integer DCT, fancy upsampling): the same library, the same pixels. Grey JPEGs repeat
//   their channel; CMYK JPEGs (Adobe's inverted form, as Photoshop and Pillow write them)
//   become RGB by Pillow's formula.
// - PNG through libspng: palette and grey expanded, alpha dropped (as Pillow's
//   convert("RGB")), 16-bit samples reduced to their high byte.
// The format is read from the file's first bytes, not its name (ImageNet holds a PNG named
// .JPEG). Dimensions are read from the header first: a side over kMaxImageSide or an image
// over kMaxImagePixels is refused before anything is allocated, so a crafted header cannot
// ask for gigabytes. Every failure is an InputError naming the file and the reason.

inline constexpr int64_t kMaxImageSide = 32768;
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 28;  // 268 M pixels, 805 MB as RGB

struct RgbImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> pixels;  // height rows of width * 3 bytes

  const uint8_t* row(int64_t y) const { return pixels.data() + y * width * 3; }
};

struct ImageSize {
  int64_t width = 0;
  int64_t height = 0;
};

// The image's size from its header alone; `name` is the file, for errors.
ImageSize read_image_size(std::string_view bytes, const std::string& name);

// The whole image. With `at_least` set, a JPEG may be decoded smaller, in the DCT domain
// (1/2, 1/4 or 1/8 of each side: far less work), as long as both sides stay at least that
// large; other formats and smaller JPEGs come at full size. Check the returned size.
RgbImage decode_image(std::string_view bytes, const std::string& name, ImageSize at_least = {});

}  // namespace qn
