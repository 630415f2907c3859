#pragma once

#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "noise/layer_noise.h"
#include "quant/block_layout.h"
#include "quant/layer_kind.h"
#include "quant/pq_lookup.h"

namespace qn {

// A layer whose weight QNStudio quantizes: Linear, Conv2d, Embedding. Its forward uses:
//  - once it uses a codebook (iPQ), codebook[codes]: the weight as PQ stores it;
//  - else in training mode the weight through its LayerNoise, if it has one;
//  - else the weight as it is (the compressed model's weight is written into it before
//    evaluation).
class QuantizableLayer {
 public:
  virtual ~QuantizableLayer() = default;

  virtual LayerKind layer_kind() const = 0;
  virtual torch::Tensor& weight() = 0;
  // The module attribute the weight is: "weight", or nn.MultiheadAttention's packed query,
  // key and value projection "in_proj_weight" (nn/scripted_model.h).
  virtual std::string weight_attribute() const { return "weight"; }

  void set_noise(std::unique_ptr<LayerNoise> noise) { noise_ = std::move(noise); }

  // iPQ (docs/method.md section 4.2): from now on the weight is centroids[codes] along
  // `layout`, with the centroids a trainable parameter "centroids" of the layer, so that a
  // centroid's gradient gathers (sums) the gradients of every block assigned to it. The
  // float weight is frozen and noise no longer applies. With `average_gradients`, a
  // centroid's gradient is divided by the number of blocks assigned to it (a mean instead
  // of a sum: large clusters then move no faster than small ones). Once per layer.
  void use_codebook(const BlockLayout& layout, const torch::Tensor& centroids,
                    const torch::Tensor& codes, bool average_gradients = false);
  bool uses_codebook() const { return layout_.has_value(); }
  const BlockLayout& codebook_layout() const { return *layout_; }
  const torch::Tensor& centroids() const { return centroids_; }
  const torch::Tensor& codes() const { return codes_; }

  // Inference from the codes: from now on the forward computes with `lookup` (lookup
  // tables over the PQ codes, quant/pq_lookup.h) instead of a weight, which the caller may
  // then free. Only where can_compute_from_codes(): Linear and Embedding layers, 1x1
  // convolutions without groups (the layer knows its shape's meaning).
  virtual bool can_compute_from_codes() const { return false; }
  void compute_from_codes(std::shared_ptr<const PqLookup> lookup) { lookup_ = std::move(lookup); }
  const PqLookup* lookup() const { return lookup_.get(); }

  // Called with the input of every forward while set; nullptr stops it. Activation-aware
  // PQ gathers the inputs' statistics this way (LibTorch's C++ modules have no hooks).
  using InputObserver = std::function<void(const torch::Tensor& input)>;
  void set_input_observer(InputObserver observer) { input_observer_ = std::move(observer); }

 protected:
  void observe_input(const torch::Tensor& input) {
    if (input_observer_) input_observer_(input);
  }
  torch::Tensor forward_weight(bool training);
  // Registers `centroids` as the module's parameter "centroids" and returns it.
  virtual torch::Tensor register_centroids(const torch::Tensor& centroids) = 0;

 private:
  std::unique_ptr<LayerNoise> noise_;
  InputObserver input_observer_;
  std::optional<BlockLayout> layout_;
  torch::Tensor centroids_, codes_;
  std::shared_ptr<const PqLookup> lookup_;
};

struct NamedLayer {
  // The module path, e.g. "blocks.1.expand"; for a weight attribute other than "weight",
  // the path to the tensor itself: "layers.0.self_attn.in_proj_weight".
  std::string name;
  QuantizableLayer* layer;
};

// Every quantizable layer of `model`, in registration order (bottom to top).
std::vector<NamedLayer> quantizable_layers(torch::nn::Module& model);

// The tensor names a layer's weight and its iPQ codebook have in the model and in a
// checkpoint: "<layer>.weight" and "<layer>.centroids"; for a layer named by its tensor
// (a name ending in "_weight"), that name, and "<its module>.centroids".
std::string weight_tensor_name(const std::string& layer);
std::string centroids_tensor_name(const std::string& layer);

}  // namespace qn
