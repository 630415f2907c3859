#pragma once

#include <torch/types.h>

#include <memory>
#include <string>

#include "quant/compressed_tensor.h"
#include "quant/layer_kind.h"

namespace qn {

// One interface for every quantizer kind (none, int, pq), one file per kind, as FAISS has
// one Index interface: fit to a layer's weight and return its compressed form, which
// decodes back to a float weight and knows its exact size.
class Quantizer {
 public:
  virtual ~Quantizer() = default;

  // e.g. "int4 (channel)", "pq (K=256, fp16 codebook)"
  virtual std::string describe() const = 0;
  // Fits to `weight` and compresses it. Errors name `layer`.
  virtual std::unique_ptr<CompressedTensor> compress(const torch::Tensor& weight,
                                                     const LayerInfo& layer) const = 0;
};

}  // namespace qn
