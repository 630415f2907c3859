#include "train/model_compression.h"

#include <set>

#include "common/error.h"
#include "nn/quantizable_layer.h"
#include "quant/int_quantizer.h"
#include "quant/plain_quantizer.h"
#include "quant/pq_quantizer.h"

namespace qn {

std::unique_ptr<Quantizer> make_quantizer(const QuantConfig& quant, int64_t centroids,
                                          uint64_t seed) {
  if (quant.method == "none") return std::make_unique<PlainQuantizer>(PlainWidth::Fp32);
  if (quant.method == "int") {
    return std::make_unique<IntQuantizer>(
        IntOptions{quant.bits, parse_range_observer(quant.observer)});
  }
  if (quant.method == "pq" || quant.method == "ipq") {
    PqOptions options;
    options.centroids = centroids;
    options.seed = seed;
    options.block_sizes = quant.block_size;
    options.codebook_format = parse_codebook_bits(quant.centroid_bits);
    return std::make_unique<PqQuantizer>(options);
  }
  throw InputError("quant.method '" + quant.method + "' is not available in this build yet");
}

int64_t centroids_for_layer(int64_t configured, int64_t block_count) {
  return std::max<int64_t>(1, std::min(configured, block_count / 4));
}

SizeReport compress_model(torch::nn::Module& model, const QuantConfig& quant, uint64_t seed) {
  torch::NoGradGuard no_grad;
  SizeReport report;
  std::set<const void*> compressed;
  for (const auto& [name, layer] : quantizable_layers(model)) {
    auto& weight = layer->weight();
    const auto shape = weight.sizes().vec();
    const int64_t block = quant.block_size.for_weight(layer->layer_kind(), shape);
    const int64_t block_count = weight.numel() / std::max<int64_t>(block, 1);
    std::unique_ptr<CompressedTensor> result;
    if (layer->uses_codebook()) {  // iPQ: the fine-tuned codebook, stored in its format
      result = std::make_unique<PqTensor>(
          layer->codebook_layout(),
          Codebook::store(layer->centroids(), parse_codebook_bits(quant.centroid_bits)),
          layer->codes());
    } else {
      result = make_quantizer(quant, centroids_for_layer(quant.centroids, block_count), seed)
                   ->compress(weight, {name, layer->layer_kind()});
    }
    weight.copy_(result->decode());
    layer->set_noise(nullptr);
    report.add(name + ".weight", *result);
    compressed.insert(weight.unsafeGetTensorImpl());
    if (layer->uses_codebook()) compressed.insert(layer->centroids().unsafeGetTensorImpl());
  }
  for (const auto& item : model.named_parameters()) {
    if (!compressed.count(item.value().unsafeGetTensorImpl())) {
      report.add(item.key(), PlainTensor(item.value(), PlainWidth::Fp32));
    }
  }
  for (const auto& item : model.named_buffers()) {
    // BatchNorm's batch counter only matters for training.
    if (item.key().find("num_batches_tracked") != std::string::npos) continue;
    report.add(item.key(), PlainTensor(item.value(), PlainWidth::Fp32));
  }
  return report;
}

}  // namespace qn
