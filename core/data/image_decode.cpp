#include "data/image_decode.h"

#include <spng.h>
#include <turbojpeg.h>

#include <algorithm>
#include <memory>

#include "common/error.h"

namespace qn {
namespace {

constexpr unsigned char kJpegMagic[] = {0xFF, 0xD8, 0xFF};
constexpr unsigned char kPngMagic[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

template <size_t N>
bool starts_with(std::string_view bytes, const unsigned char (&magic)[N]) {
  return bytes.size() >= N && std::equal(magic, magic + N, reinterpret_cast<const unsigned char*>(bytes.data()));
}

[[noreturn]] void refuse(const std::string& name, const std::string& reason) {
  throw InputError("cannot decode image '" + name + "': " + reason);
}

void check_size(const ImageSize& size, const std::string& name) {
  if (size.width < 1 || size.height < 1) refuse(name, "its header gives no pixels");
  if (size.width > kMaxImageSide || size.height > kMaxImageSide ||
      size.width * size.height > kMaxImagePixels) {
    refuse(name, "its header claims " + std::to_string(size.width) + " x " + std::to_string(size.height) +
                     " pixels, over the limit of " + std::to_string(kMaxImageSide) + " a side and " +
                     std::to_string(kMaxImagePixels) + " in all; refusing the allocation");
  }
}

// TurboJPEG's handle, one per decode: cheap next to a decode, and a thread may call freely.
using JpegHandle = std::unique_ptr<void, int (*)(tjhandle)>;

JpegHandle jpeg_decoder() { return {tjInitDecompress(), tjDestroy}; }

struct JpegHeader {
  ImageSize size;
  int colorspace = 0;
};

JpegHeader jpeg_header(tjhandle handle, std::string_view bytes, const std::string& name) {
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle, reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<unsigned long>(bytes.size()), &width, &height, &subsampling,
                          &colorspace) != 0) {
    refuse(name, tjGetErrorStr2(handle));
  }
  JpegHeader header{{width, height}, colorspace};
  check_size(header.size, name);
  return header;
}

// The smallest DCT scale (of 1/8, 1/4, 1/2, 1) that keeps both sides at least `at_least`.
tjscalingfactor dct_scale(const ImageSize& size, const ImageSize& at_least) {
  if (at_least.width < 1 || at_least.height < 1) return {1, 1};
  for (const int denominator : {8, 4, 2}) {
    const tjscalingfactor factor{1, denominator};
    if (TJSCALED(size.width, factor) >= at_least.width && TJSCALED(size.height, factor) >= at_least.height) {
      return factor;
    }
  }
  return {1, 1};
}

// Pillow's CMYK to RGB (its Convert.c, cmyk2rgb). TurboJPEG gives the samples as stored,
// in Adobe's inverted form (255 - ink), which Pillow's decoder inverts back ("CMYK;I"):
// 255 - K is then the stored K itself, and C the complement of the stored C.
void cmyk_to_rgb(const std::vector<uint8_t>& cmyk, RgbImage& image) {
  const auto muldiv255 = [](int a, int b) {
    const int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  };
  const int64_t pixels = image.width * image.height;
  for (int64_t i = 0; i < pixels; ++i) {
    const int not_black = cmyk[4 * i + 3];
    for (int c = 0; c < 3; ++c) {
      const int value = not_black - muldiv255(255 - cmyk[4 * i + c], not_black);
      image.pixels[3 * i + c] = static_cast<uint8_t>(std::clamp(value, 0, 255));
    }
  }
}

RgbImage decode_jpeg(std::string_view bytes, const std::string& name, const ImageSize& at_least) {
  const auto handle = jpeg_decoder();
  if (!handle) refuse(name, "libjpeg-turbo could not start");
  const auto header = jpeg_header(handle.get(), bytes, name);
  const auto factor = dct_scale(header.size, at_least);
  RgbImage image;
  image.width = TJSCALED(header.size.width, factor);
  image.height = TJSCALED(header.size.height, factor);
  image.pixels.resize(static_cast<size_t>(image.width * image.height * 3));
  const bool cmyk = header.colorspace == TJCS_CMYK || header.colorspace == TJCS_YCCK;
  std::vector<uint8_t> cmyk_pixels(cmyk ? static_cast<size_t>(image.width * image.height * 4) : 0);
  // Pillow's settings: the accurate integer DCT (asked for) and fancy upsampling (TurboJPEG's default).
  const int flags = TJFLAG_ACCURATEDCT | TJFLAG_LIMITSCANS;
  const int status = tjDecompress2(
      handle.get(), reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()),
      cmyk ? cmyk_pixels.data() : image.pixels.data(), static_cast<int>(image.width), 0,
      static_cast<int>(image.height), cmyk ? TJPF_CMYK : TJPF_RGB, flags);
  if (status != 0) {
    // As Pillow: libjpeg's warnings (extraneous bytes before a marker, a damaged segment: some
    // of ImageNet's files) leave a decoded image; a truncated file (padded with grey by
    // libjpeg) and a fatal error do not.
    const std::string message = tjGetErrorStr2(handle.get());
    if (tjGetErrorCode(handle.get()) == TJERR_FATAL || message.find("Premature end of JPEG file") != std::string::npos) {
      refuse(name, message);
    }
  }
  if (cmyk) cmyk_to_rgb(cmyk_pixels, image);
  return image;
}

using PngContext = std::unique_ptr<spng_ctx, void (*)(spng_ctx*)>;

PngContext png_context(std::string_view bytes, const std::string& name) {
  PngContext context(spng_ctx_new(0), spng_ctx_free);
  if (!context) refuse(name, "libspng could not start");
  // Chunk limits keep a crafted text or ICC chunk from allocating without bound.
  spng_set_chunk_limits(context.get(), 1 << 24, 1 << 26);
  spng_set_image_limits(context.get(), kMaxImageSide, kMaxImageSide);
  spng_set_crc_action(context.get(), SPNG_CRC_ERROR, SPNG_CRC_ERROR);
  if (const int error = spng_set_png_buffer(context.get(), bytes.data(), bytes.size())) {
    refuse(name, spng_strerror(error));
  }
  return context;
}

ImageSize png_size(spng_ctx* context, const std::string& name) {
  spng_ihdr header{};
  if (const int error = spng_get_ihdr(context, &header)) refuse(name, spng_strerror(error));
  const ImageSize size{header.width, header.height};
  check_size(size, name);
  return size;
}

RgbImage decode_png(std::string_view bytes, const std::string& name) {
  const auto context = png_context(bytes, name);
  const auto size = png_size(context.get(), name);
  RgbImage image{size.width, size.height, {}};
  size_t length = 0;
  if (const int error = spng_decoded_image_size(context.get(), SPNG_FMT_RGB8, &length)) {
    refuse(name, spng_strerror(error));
  }
  image.pixels.resize(length);
  if (const int error = spng_decode_image(context.get(), image.pixels.data(), length, SPNG_FMT_RGB8, 0)) {
    refuse(name, spng_strerror(error));
  }
  return image;
}

[[noreturn]] void refuse_format(const std::string& name, std::string_view bytes) {
  refuse(name, bytes.empty() ? "the file is empty" : "neither JPEG nor PNG (by its first bytes)");
}

}  // namespace

ImageSize read_image_size(std::string_view bytes, const std::string& name) {
  if (starts_with(bytes, kJpegMagic)) {
    const auto handle = jpeg_decoder();
    return jpeg_header(handle.get(), bytes, name).size;
  }
  if (starts_with(bytes, kPngMagic)) return png_size(png_context(bytes, name).get(), name);
  refuse_format(name, bytes);
}

RgbImage decode_image(std::string_view bytes, const std::string& name, ImageSize at_least) {
  if (starts_with(bytes, kJpegMagic)) return decode_jpeg(bytes, name, at_least);
  if (starts_with(bytes, kPngMagic)) return decode_png(bytes, name);
  refuse_format(name, bytes);
}

}  // namespace qn
