#include "train/input_moments.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>

#include "config/layer_quant.h"
#include "quant/input_importance.h"

namespace qn {
namespace {

// Running sums of one layer's squared inputs, per feature or channel.
struct MomentSum {
  torch::Tensor sum;  // float64
  int64_t count = 0;  // inputs summed per feature

  void add(const torch::Tensor& input, LayerKind kind) {
    const auto x = input.detach();
    // Conv2d (N, C, H, W): per channel over batch and pixels; Linear (..., in): per feature.
    auto squares = kind == LayerKind::Conv2d
                       ? x.pow(2).sum({0, 2, 3}, /*keepdim=*/false, torch::kDouble)
                       : x.reshape({-1, x.size(-1)}).pow(2).sum(0, /*keepdim=*/false, torch::kDouble);
    count += x.numel() / squares.numel();
    sum = sum.defined() ? sum.add_(squares) : squares;
  }
};

// Clears the observers it set, however gathering ends.
class ObserverScope {
 public:
  explicit ObserverScope(const std::vector<NamedLayer>& layers) : layers_(layers) {}
  ~ObserverScope() {
    for (const auto& layer : layers_) layer.layer->set_input_observer(nullptr);
  }
  ObserverScope(const ObserverScope&) = delete;
  ObserverScope& operator=(const ObserverScope&) = delete;

 private:
  const std::vector<NamedLayer>& layers_;
};

}  // namespace

std::vector<NamedLayer> activation_aware_layers(const std::vector<NamedLayer>& layers,
                                                const QuantConfig& quant) {
  std::vector<NamedLayer> weighed;
  if (quant.pq_objective != "activations") return weighed;
  for (const auto& layer : layers) {
    const auto kind = layer.layer->layer_kind();
    if (uses_codebooks(quant_for_layer(quant, layer.name).method) &&
        kind != LayerKind::Embedding && !layer.layer->uses_codebook()) {
      weighed.push_back(layer);
    }
  }
  return weighed;
}

InputMoments gather_input_moments(torch::nn::Module& model, const Forward& forward,
                                  const Examples& train, const std::vector<NamedLayer>& layers,
                                  const RunConfig& config, const CancelToken* cancel) {
  InputMoments result;
  if (layers.empty()) return result;
  const auto started = std::chrono::steady_clock::now();
  std::vector<MomentSum> sums(layers.size());
  const ObserverScope scope(layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto kind = layers[i].layer->layer_kind();
    layers[i].layer->set_input_observer(
        [&sum = sums[i], kind](const torch::Tensor& input) { sum.add(input, kind); });
  }

  const bool was_training = model.is_training();
  torch::NoGradGuard no_grad;
  model.eval();
  const int64_t batch_size = config.train.batch_size;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(config.train.seed);
  const auto order =
      torch::randperm(train.size(), generator, torch::kLong).to(train.rows_device());
  for (int64_t b = 0; b < config.quant.calibration_batches && b * batch_size < train.size(); ++b) {
    forward(train.rows(order.narrow(0, b * batch_size, std::min(batch_size, train.size() - b * batch_size)))
                .inputs);
    throw_if_cancelled(cancel);
  }
  model.train(was_training);

  for (size_t i = 0; i < layers.size(); ++i) {
    if (sums[i].count == 0) continue;  // a layer the forward never reached
    result.by_layer[layers[i].name] =
        (sums[i].sum / static_cast<double>(sums[i].count)).to(torch::kFloat);
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

torch::Tensor layer_importance(const InputMoments& moments, const NamedLayer& layer) {
  const auto found = moments.by_layer.find(layer.name);
  if (found == moments.by_layer.end()) return {};
  return input_importance(found->second, layer.layer->layer_kind(),
                          layer.layer->weight().sizes().vec());
}

}  // namespace qn
