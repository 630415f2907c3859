#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/script.h>

#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "nn/quantizable_layer.h"

namespace qn {

// A user's model, saved in Python with torch.jit.save (scripted or traced), seen by the
// engine as a torch::nn::Module tree with the module's own names and tensors
// (docs/data.md, "Your own model"). Every submodule of the TorchScript module has
// a mirror module of the same name, registering the same parameter and buffer tensors
// (shared, not copied): optimizers, checkpoints, compression and state copies work on the
// mirror and change the TorchScript module's values. Submodules whose TorchScript class is
// Linear, Conv2d or Embedding (by class name, any mangling or subclass such as
// NonDynamicallyQuantizableLinear, with a weight of the matching rank), and
// MultiheadAttention with its packed `in_proj_weight` (its out_proj is a Linear of its own),
// mirror as ScriptedLayer, a QuantizableLayer: before each forward the module's weight
// attribute is set to the weight the layer computes with (noisy in training,
// codebook-decoded after iPQ), and set back to the parameter after it. The parameter itself is never written by
// the noise; other attributes and buffers stay as the user saved them.

// The tensors a mirror has registered so far. A tensor the TorchScript model holds under
// two names (tied weights: an output projection that is the embedding table) is registered
// once, under the first: one tensor in the optimizer, the size, the noise, the codebooks and
// the .qnz.
using RegisteredTensors = std::unordered_set<const c10::TensorImpl*>;

// A Linear, Conv2d or Embedding submodule of a TorchScript model, or a MultiheadAttention
// whose packed projection `in_proj_weight` is the weight (`attribute`).
class ScriptedLayerImpl : public torch::nn::Module, public QuantizableLayer {
 public:
  ScriptedLayerImpl(torch::jit::Module script, LayerKind kind, std::string attribute,
                    RegisteredTensors& registered);

  // Another submodule holding this layer's weight as its own (`attribute` of `script`):
  // each forward sets it with this layer's, so a tied layer computes with the same noisy or
  // decoded weight.
  void add_alias(torch::jit::Module script, std::string attribute);

  LayerKind layer_kind() const override { return kind_; }
  torch::Tensor& weight() override { return weight_; }
  std::string weight_attribute() const override { return slots_.front().attribute; }

  // Points the TorchScript module's "weight" at what this forward uses; restore() undoes it.
  void prepare_forward(bool training);
  void restore();

 protected:
  torch::Tensor register_centroids(const torch::Tensor& centroids) override {
    return register_parameter("centroids", centroids);
  }

 private:
  // Where the weight is set before a forward: this layer's own slot, then its aliases'.
  struct Slot {
    torch::jit::Module script;
    std::string attribute;
  };
  std::vector<Slot> slots_;
  LayerKind kind_;
  torch::Tensor weight_;
  bool replaced_ = false;
};
TORCH_MODULE(ScriptedLayer);

// A BatchNorm submodule of a TorchScript model: its momentum is a TorchScript constant, so
// its statistics are re-estimated batch by batch (batchnorm_statistics.h) instead of by
// switching the momentum off as for torch::nn::BatchNorm2d.
class ScriptedBatchNormImpl : public torch::nn::Module {
 public:
  ScriptedBatchNormImpl(torch::jit::Module script, RegisteredTensors& registered);

  // The factor a training forward blends a batch's statistics in with: the momentum, or
  // 1 / num_batches_tracked when the momentum is None (a cumulative average).
  std::optional<double> momentum() const { return momentum_; }
  torch::Tensor& running_mean() { return running_mean_; }
  torch::Tensor& running_var() { return running_var_; }
  torch::Tensor& num_batches_tracked() { return num_batches_tracked_; }

 private:
  std::optional<double> momentum_;
  torch::Tensor running_mean_, running_var_, num_batches_tracked_;
};
TORCH_MODULE(ScriptedBatchNorm);

class ScriptedModelImpl : public torch::nn::Module {
 public:
  // `source` names the model in errors (its file).
  ScriptedModelImpl(torch::jit::Module script, std::string source);

  // The TorchScript module's forward on `input`; an InputError naming the model file, the
  // input's shape and dtype, and TorchScript's reason when the module refuses it, or when
  // it returns something other than a tensor.
  torch::Tensor forward(const torch::Tensor& input);
  // The same with several inputs (a text classifier's ids, attention mask...).
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs);
  // How many inputs the module's forward takes (its arguments after self).
  int64_t input_count() const;
  void train(bool on = true) override;

  torch::jit::Module& script() { return script_; }
  const std::string& source() const { return source_; }

 private:
  torch::jit::Module script_;
  std::string source_;
  std::vector<ScriptedLayer> layers_;
};
TORCH_MODULE(ScriptedModel);

// The tensors a TorchScript model holds under several names (tied weights): the name the
// mirror registered each under (its name in the size, the noise and the .qnz) -> its other
// names in the TorchScript module. Empty for a model that is not a ScriptedModel.
std::map<std::string, std::vector<std::string>> tied_tensor_names(torch::nn::Module& model);

// Refuses a model.path that is empty or not a file, naming it.
void check_model_file(const std::string& path);

// Loads a torch.jit.save file (from `path`, or its bytes from `in`; `source` names it in
// errors). A file that is not TorchScript (or is truncated) and a model with no Linear,
// Conv2d or Embedding layer are InputErrors naming the file.
ScriptedModel load_scripted_model(const std::string& path);
ScriptedModel load_scripted_model(std::istream& in, const std::string& source);

}  // namespace qn
