#pragma once

#include "common/cancellation.h"
#include "quant/block_layout.h"
#include "quant/code_bits.h"
#include "quant/codebook.h"
#include "quant/quantizer.h"

namespace qn {

// A product-quantized weight: each block of the layout replaced by one of K centroids.
// Stored as the codebook plus one ceil(log2 K)-bit code a block, packed.
class PqTensor final : public CompressedTensor {
 public:
  PqTensor(BlockLayout layout, Codebook codebook, torch::Tensor codes);

  std::string method() const override;
  std::vector<int64_t> shape() const override { return layout_.weight_shape(); }
  torch::Tensor decode() const override;
  StorageBytes storage() const override;

  const BlockLayout& layout() const { return layout_; }
  const Codebook& codebook() const { return codebook_; }
  const torch::Tensor& codes() const { return codes_; }  // (block_count) int64, in [0, K)
  int code_bits() const;

 private:
  BlockLayout layout_;
  Codebook codebook_;
  torch::Tensor codes_;
};

struct PqOptions {
  int64_t centroids = 256;
  int iterations = 20;
  uint64_t seed = 0;
  BlockSizes block_sizes;
  CodebookFormat codebook_format = CodebookFormat::Fp16;
  // Activation-aware PQ: a positive weight for every weight entry, shaped like the weight
  // (input_importance.h), making k-means and the coding weighted (KMeansOptions::weights);
  // undefined: plain PQ.
  torch::Tensor importance;
  const CancelToken* cancel = nullptr;  // stops k-means and coding (RunCancelled)
};

// quant.method "pq": k-means over the layer's blocks (kmeans.h), codebook rounded to its
// storage format, then each block coded by its nearest stored centroid.
class PqQuantizer final : public Quantizer {
 public:
  explicit PqQuantizer(PqOptions options) : options_(std::move(options)) {}

  std::string describe() const override;
  std::unique_ptr<CompressedTensor> compress(const torch::Tensor& weight,
                                             const LayerInfo& layer) const override;
  PqTensor encode(const torch::Tensor& weight, const LayerInfo& layer) const;

 private:
  PqOptions options_;
};

}  // namespace qn
