#include "quant/pq_quantizer.h"

#include <torch/types.h>

#include "common/error.h"
#include "quant/bit_packing.h"
#include "quant/kmeans.h"
#include "quant/nearest_centroid.h"

namespace qn {

PqTensor::PqTensor(BlockLayout layout, Codebook codebook, torch::Tensor codes)
    : layout_(std::move(layout)), codebook_(std::move(codebook)), codes_(std::move(codes)) {
  TORCH_CHECK(codebook_.block_size() == layout_.block_size(), "codebook and layout disagree on b");
  TORCH_CHECK(codes_.numel() == layout_.block_count(), "one code a block");
}

std::string PqTensor::method() const {
  return codebook_.format() == CodebookFormat::Fp16 ? "pq" : "pq+int8";
}

int PqTensor::code_bits() const { return code_bits_for(codebook_.size()); }

torch::Tensor PqTensor::decode() const {
  return layout_.from_blocks(codebook_.centroids().index_select(0, codes_));
}

StorageBytes PqTensor::storage() const {
  StorageBytes bytes;
  bytes.codes = packed_byte_count(layout_.block_count(), code_bits());
  bytes.codebook = codebook_.bytes();
  return bytes;
}

std::string PqQuantizer::describe() const {
  return "pq (" + options_.block_sizes.describe() + ", K=" + std::to_string(options_.centroids) +
         ", " + to_string(options_.codebook_format) + " codebook)";
}

PqTensor PqQuantizer::encode(const torch::Tensor& weight, const LayerInfo& layer) const {
  const auto shape = weight.sizes().vec();
  BlockLayout layout(layer, shape, options_.block_sizes.for_weight(layer.kind, shape));
  const auto blocks = layout.to_blocks(weight.detach().to(torch::kFloat));
  if (options_.centroids > layout.block_count()) {
    throw InputError("layer '" + layer.name + "': " + std::to_string(options_.centroids) +
                     " centroids need at least as many blocks, but the layer has " +
                     std::to_string(layout.block_count()) + " blocks of " +
                     std::to_string(layout.block_size()));
  }
  KMeansOptions kmeans_options;
  kmeans_options.centroids = options_.centroids;
  kmeans_options.iterations = options_.iterations;
  kmeans_options.seed = options_.seed;
  kmeans_options.cancel = options_.cancel;
  torch::Tensor block_weights;  // activation-aware PQ: the importance, block by block
  if (options_.importance.defined()) {
    block_weights = layout.to_blocks(options_.importance.to(blocks.device(), torch::kFloat));
    kmeans_options.weights = block_weights;
  }
  const auto fitted = kmeans(blocks, kmeans_options);

  auto codebook = Codebook::store(fitted.centroids, options_.codebook_format);
  // Code each block by the nearest centroid as stored (after rounding), not as fitted,
  // under the distance k-means minimised.
  const auto& stored = codebook.centroids();
  auto codes = (block_weights.defined()
                    ? nearest_centroids(blocks, block_weights, stored, 0, options_.cancel)
                    : nearest_centroids(blocks, stored, /*chunk_rows=*/0, options_.cancel))
                   .index;
  return PqTensor(std::move(layout), std::move(codebook), std::move(codes));
}

std::unique_ptr<CompressedTensor> PqQuantizer::compress(const torch::Tensor& weight,
                                                        const LayerInfo& layer) const {
  return std::make_unique<PqTensor>(encode(weight, layer));
}

}  // namespace qn
