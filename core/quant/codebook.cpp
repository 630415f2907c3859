#include "quant/codebook.h"

#include <torch/types.h>

#include "common/error.h"

namespace qn {

CodebookFormat parse_codebook_bits(int centroid_bits) {
  if (centroid_bits == 16) return CodebookFormat::Fp16;
  if (centroid_bits == 8) return CodebookFormat::Int8;
  throw InputError("quant.centroid_bits must be 16 (fp16 codebooks) or 8 (int8), got " +
                   std::to_string(centroid_bits));
}

std::string to_string(CodebookFormat format) {
  return format == CodebookFormat::Fp16 ? "fp16" : "int8";
}

Codebook Codebook::store(const torch::Tensor& centroids, CodebookFormat format) {
  const auto values = centroids.detach().to(torch::kFloat);
  if (format == CodebookFormat::Fp16) return from_fp16(values.to(torch::kHalf));
  return from_int8(IntQuantizer({/*bits=*/8, RangeObserver::MinMax}).encode(values));
}

Codebook Codebook::from_fp16(const torch::Tensor& half_centroids) {
  return Codebook(half_centroids.to(torch::kFloat), CodebookFormat::Fp16, std::nullopt);
}

Codebook Codebook::from_int8(IntTensor int8) {
  auto decoded = int8.decode();
  return Codebook(std::move(decoded), CodebookFormat::Int8, std::move(int8));
}

int64_t Codebook::bytes() const {
  if (int8_) return int8_->storage().total();
  return centroids_.numel() * 2;
}

}  // namespace qn
