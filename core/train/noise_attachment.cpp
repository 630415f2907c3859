#include "train/noise_attachment.h"

#include "common/error.h"
#include "config/layer_quant.h"
#include "nn/quantizable_layer.h"
#include "noise/layer_noise.h"
#include "train/model_compression.h"

namespace qn {

void attach_noise(torch::nn::Module& model, const QuantConfig& section, const NoiseSpec& noise,
                  uint64_t seed) {
  if (noise.mode == NoiseMode::None) return;
  for (const auto& [name, layer] : compressed_layers(model, section)) {
    const auto quant = quant_for_layer(section, name);
    const auto shape = layer->weight().sizes().vec();
    if (quant.method == QuantMethod::Int) {
      IntNoiseOptions options;
      options.bits = quant.bits;
      options.observer = parse_range_observer(quant.observer);
      options.rate = noise.rate();
      layer->set_noise(make_int_noise(options));
    } else if (uses_codebooks(quant.method)) {
      const BlockLayout layout({name, layer->layer_kind()}, shape,
                               quant.block_size.for_weight(layer->layer_kind(), shape));
      PqNoiseOptions options;
      options.form = noise.form;
      options.rate = noise.rate();
      options.centroids = centroids_for_layer(quant.centroids, layout.block_count());
      options.seed = seed;
      layer->set_noise(make_pq_noise(layout, options));
    } else {
      throw InputError("noise.mode " + to_string(noise.mode) + " needs a quantizer: quant.method is none");
    }
  }
}

}  // namespace qn
