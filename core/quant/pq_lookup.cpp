#include "quant/pq_lookup.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "common/error.h"

namespace qn {

PqLookup::PqLookup(const PqTensor& weight)
    : rows_(weight.layout().rows()),
      blocks_per_row_(weight.layout().blocks_per_row()),
      block_size_(weight.layout().block_size()),
      centroid_count_(weight.codebook().size()) {
  const auto code_type = centroid_count_ <= 256 ? torch::kUInt8 : torch::kInt32;
  codes_ = weight.codes().to(torch::kCPU).view({rows_, blocks_per_row_}).t().contiguous().to(code_type);
  centroids_ = weight.codebook().centroids().to(torch::kCPU, torch::kFloat).contiguous();
}

bool PqLookup::tables_pay() const { return centroid_count_ + rows_ / block_size_ < rows_; }

torch::Tensor PqLookup::decoded() const {
  const auto codes = codes_.t().reshape(-1).to(torch::kLong);  // block order: row by row
  return centroids_.index_select(0, codes).view({rows_, row_length()});
}

int64_t PqLookup::bytes() const { return codes_.nbytes() + centroids_.nbytes(); }

template <class Code>
void PqLookup::accumulate(const float* tables, float* output, int64_t count) const {
  // Four blocks a pass: four independent lookups per output before its one store.
  const Code* codes = codes_.data_ptr<Code>();
  const int64_t k = centroid_count_;
  for (int64_t row = 0; row < count; ++row, tables += blocks_per_row_ * k, output += rows_) {
    int64_t block = 0;
    for (; block + 4 <= blocks_per_row_; block += 4) {
      const float* t0 = tables + block * k;
      const float *t1 = t0 + k, *t2 = t1 + k, *t3 = t2 + k;
      const Code* c0 = codes + block * rows_;
      const Code *c1 = c0 + rows_, *c2 = c1 + rows_, *c3 = c2 + rows_;
      for (int64_t out = 0; out < rows_; ++out) {
        output[out] += (t0[c0[out]] + t1[c1[out]]) + (t2[c2[out]] + t3[c3[out]]);
      }
    }
    for (; block < blocks_per_row_; ++block) {
      const float* table = tables + block * k;
      const Code* code = codes + block * rows_;
      for (int64_t out = 0; out < rows_; ++out) output[out] += table[code[out]];
    }
  }
}

torch::Tensor PqLookup::linear(const torch::Tensor& input, const torch::Tensor& bias) const {
  if (!input.device().is_cpu() || input.scalar_type() != torch::kFloat ||
      input.dim() == 0 || input.size(-1) != row_length()) {
    throw InputError("lookup tables take float32 CPU inputs of " + std::to_string(row_length()) +
                     " features");
  }
  if (!tables_pay()) return torch::linear(input, decoded(), bias);
  const auto flat = input.reshape({-1, row_length()}).contiguous();
  const int64_t count = flat.size(0);
  // A fresh tensor either way: expand(...).contiguous() of one row would be the bias itself.
  auto output = torch::zeros({count, rows_});
  if (bias.defined()) output.copy_(bias.expand({count, rows_}));
  // Rows in chunks whose tables stay about 1 MiB (in cache, and bounded for a convolution's
  // many pixels); each chunk's tables in one GEMM: (rows * blocks, b) x (b, K).
  const int64_t table_floats = blocks_per_row_ * centroid_count_;
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 18) / table_floats);
  at::parallel_for(0, count, chunk, [&](int64_t begin, int64_t end) {
    for (int64_t first = begin; first < end; first += chunk) {
      const int64_t rows = std::min(chunk, end - first);
      const auto tables =
          flat.narrow(0, first, rows).view({rows * blocks_per_row_, block_size_}).mm(centroids_.t());
      float* row_output = output.data_ptr<float>() + first * rows_;
      if (codes_.scalar_type() == torch::kUInt8) {
        accumulate<uint8_t>(tables.data_ptr<float>(), row_output, rows);
      } else {
        accumulate<int32_t>(tables.data_ptr<float>(), row_output, rows);
      }
    }
  });
  auto shape = input.sizes().vec();
  shape.back() = rows_;
  return output.view(shape);
}

torch::Tensor PqLookup::pointwise_conv(const torch::Tensor& input, const torch::Tensor& bias,
                                       int64_t stride) const {
  if (!tables_pay()) {
    return torch::conv2d(input, decoded().view({rows_, row_length(), 1, 1}), bias, stride);
  }
  const auto sampled =
      stride > 1 ? input.slice(2, 0, input.size(2), stride).slice(3, 0, input.size(3), stride) : input;
  return linear(sampled.permute({0, 2, 3, 1}), bias).permute({0, 3, 1, 2});
}

torch::Tensor PqLookup::rows(const torch::Tensor& indices) const {
  const auto picked = codes_.index_select(1, indices.reshape(-1)).t().to(torch::kLong);
  const auto values = centroids_.index_select(0, picked.reshape(-1));
  auto shape = indices.sizes().vec();
  shape.push_back(row_length());
  return values.view(shape);
}

}  // namespace qn
