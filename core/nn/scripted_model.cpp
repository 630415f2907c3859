#include "nn/scripted_model.h"

#include <c10/util/Exception.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "common/error.h"

namespace qn {
namespace {

// The class name of a TorchScript module without its qualification and mangling:
// "__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d" -> "Conv2d".
std::string class_name(const torch::jit::Module& script) {
  return script.type()->name() ? script.type()->name()->name() : "";
}

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// A quantizable submodule: its kind and the attribute holding its weight.
struct QuantizableAttribute {
  LayerKind kind;
  std::string attribute;
};

bool has_tensor(const torch::jit::Module& script, const std::string& name, int64_t rank) {
  if (!script.hasattr(name)) return false;
  const auto value = script.attr(name);
  return value.isTensor() && value.toTensor().dim() == rank;
}

// Recognised by class and the weight's rank: Linear (and subclasses such as
// NonDynamicallyQuantizableLinear), Conv2d, Embedding; and MultiheadAttention's packed
// query, key and value projection `in_proj_weight` (3E x E, a linear map used directly by
// its forward; absent, None, when the projections have different input sizes). nullopt
// for every other submodule.
std::optional<QuantizableAttribute> quantizable_kind(const torch::jit::Module& script) {
  const auto name = class_name(script);
  if (name == "MultiheadAttention" && has_tensor(script, "in_proj_weight", 2)) {
    return QuantizableAttribute{LayerKind::Linear, "in_proj_weight"};
  }
  if (ends_with(name, "Linear") && has_tensor(script, "weight", 2)) {
    return QuantizableAttribute{LayerKind::Linear, "weight"};
  }
  if (name == "Conv2d" && has_tensor(script, "weight", 4)) return QuantizableAttribute{LayerKind::Conv2d, "weight"};
  if (name == "Embedding" && has_tensor(script, "weight", 2)) {
    return QuantizableAttribute{LayerKind::Embedding, "weight"};
  }
  return std::nullopt;
}

bool is_batchnorm(const torch::jit::Module& script) {
  const auto name = class_name(script);
  return name.rfind("BatchNorm", 0) == 0 || name == "SyncBatchNorm";
}

// Registers the script module's own parameters and buffers (not its children's) in
// `mirror`, sharing the tensors; one registered before, under another name, is left out.
void register_tensors(torch::nn::Module& mirror, const torch::jit::Module& script,
                      RegisteredTensors& registered) {
  for (const auto& parameter : script.named_parameters(/*recurse=*/false)) {
    if (!registered.insert(parameter.value.unsafeGetTensorImpl()).second) continue;
    mirror.register_parameter(parameter.name, parameter.value, parameter.value.requires_grad());
  }
  for (const auto& buffer : script.named_buffers(/*recurse=*/false)) {
    if (!registered.insert(buffer.value.unsafeGetTensorImpl()).second) continue;
    mirror.register_buffer(buffer.name, buffer.value);
  }
}

// The layer already mirrored whose weight is `weight`, if any (tied weights).
ScriptedLayerImpl* owner_of(std::vector<ScriptedLayer>& layers, const torch::Tensor& weight) {
  for (auto& layer : layers) {
    if (layer->weight().is_same(weight)) return layer.get();
  }
  return nullptr;
}

// A submodule that is neither quantizable nor BatchNorm: its tensors and its children.
class ScriptedContainerImpl : public torch::nn::Module {};
TORCH_MODULE(ScriptedContainer);

void mirror_children(torch::nn::Module& mirror, const torch::jit::Module& script,
                     std::vector<ScriptedLayer>& layers, RegisteredTensors& registered) {
  for (const auto& child : script.named_children()) {
    const auto quantizable = quantizable_kind(child.value);
    auto* owner = quantizable ? owner_of(layers, child.value.attr(quantizable->attribute).toTensor()) : nullptr;
    if (quantizable && !owner) {
      layers.push_back(mirror.register_module(
          child.name, ScriptedLayer(child.value, quantizable->kind, quantizable->attribute, registered)));
      // A quantizable layer's children, if a subclass has any, are mirrored as well.
      mirror_children(*layers.back(), child.value, layers, registered);
    } else if (is_batchnorm(child.value)) {
      mirror.register_module(child.name, ScriptedBatchNorm(child.value, registered));
    } else {
      if (owner) owner->add_alias(child.value, quantizable->attribute);  // tied: its weight is the owner's
      auto container = mirror.register_module(child.name, ScriptedContainer());
      register_tensors(*container, child.value, registered);
      mirror_children(*container, child.value, layers, registered);
    }
  }
}

std::string shape_and_type(const torch::Tensor& tensor) {
  std::ostringstream text;
  text << tensor.sizes() << " " << tensor.dtype();
  return text.str();
}

// TorchScript's messages carry the failing line and a traceback: the reason is the first
// line of a plain error, the interpreter's last line ("RuntimeError: ...") of a failure
// inside the model's code.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string reason(const std::string& text) {
  const auto raised = text.rfind("Error: ");
  if (text.find("TorchScript interpreter") == std::string::npos || raised == std::string::npos) {
    return first_line(text);
  }
  const auto start = text.rfind('\n', raised);
  return first_line(text.substr(start == std::string::npos ? 0 : start + 1));
}

}  // namespace

ScriptedLayerImpl::ScriptedLayerImpl(torch::jit::Module script, LayerKind kind, std::string attribute,
                                     RegisteredTensors& registered)
    : slots_{{std::move(script), std::move(attribute)}}, kind_(kind) {
  const auto& own = slots_.front();
  register_tensors(*this, own.script, registered);
  const auto* weight = named_parameters(/*recurse=*/false).find(own.attribute);
  if (!weight) {
    throw InputError("layer of class " + class_name(own.script) + " has a " + own.attribute +
                     " that is not a parameter (a buffer, a constant, or a tensor of an earlier "
                     "module that is not a layer)");
  }
  weight_ = *weight;
}

void ScriptedLayerImpl::add_alias(torch::jit::Module script, std::string attribute) {
  slots_.push_back({std::move(script), std::move(attribute)});
}

void ScriptedLayerImpl::prepare_forward(bool training) {
  const auto current = forward_weight(training);
  replaced_ = !current.is_same(weight_);
  if (!replaced_) return;
  for (auto& slot : slots_) slot.script.setattr(slot.attribute, current);
}

void ScriptedLayerImpl::restore() {
  if (replaced_) {
    for (auto& slot : slots_) slot.script.setattr(slot.attribute, weight_);
  }
  replaced_ = false;
}

ScriptedBatchNormImpl::ScriptedBatchNormImpl(torch::jit::Module script, RegisteredTensors& registered) {
  register_tensors(*this, script, registered);
  const auto momentum = script.attr("momentum", c10::IValue());
  if (momentum.isDouble()) momentum_ = momentum.toDouble();
  const auto buffers = named_buffers(/*recurse=*/false);
  const auto buffer = [&buffers](const std::string& name) {
    const auto* found = buffers.find(name);
    return found ? *found : torch::Tensor();
  };
  running_mean_ = buffer("running_mean");
  running_var_ = buffer("running_var");
  num_batches_tracked_ = buffer("num_batches_tracked");
}

ScriptedModelImpl::ScriptedModelImpl(torch::jit::Module script, std::string source)
    : script_(std::move(script)), source_(std::move(source)) {
  RegisteredTensors registered;
  register_tensors(*this, script_, registered);
  mirror_children(*this, script_, layers_, registered);
  if (layers_.empty()) {
    throw InputError("model '" + source_ +
                     "' has no Linear, Conv2d or Embedding layer: QNStudio has nothing to "
                     "compress in it");
  }
}

torch::Tensor ScriptedModelImpl::forward(const torch::Tensor& input) { return forward(std::vector{input}); }

int64_t ScriptedModelImpl::input_count() const {
  return static_cast<int64_t>(script_.get_method("forward").function().getSchema().arguments().size()) - 1;
}

torch::Tensor ScriptedModelImpl::forward(const std::vector<torch::Tensor>& inputs) {
  // The attributes go back to the parameters whatever happens: a failed forward must not
  // leave a noisy weight in the module that is saved or evaluated next.
  struct Restore {
    std::vector<ScriptedLayer>& layers;
    ~Restore() {
      for (auto& layer : layers) layer->restore();
    }
  } restore{layers_};
  for (auto& layer : layers_) layer->prepare_forward(is_training());
  c10::IValue output;
  try {
    output = script_.forward(std::vector<c10::IValue>(inputs.begin(), inputs.end()));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& error) {  // c10::Error, torch::jit::JITException
    std::string given;
    for (const auto& input : inputs) given += (given.empty() ? "" : " and ") + shape_and_type(input);
    throw InputError("model '" + source_ + "' cannot take the task's input" +
                     (inputs.size() > 1 ? "s, " : ", ") + given + ": " + reason(error.what()));
  }
  if (!output.isTensor()) {
    throw InputError("model '" + source_ + "' returns " + output.tagKind() +
                     ", not a tensor of logits");
  }
  return output.toTensor();
}

void ScriptedModelImpl::train(bool on) {
  torch::nn::Module::train(on);
  script_.train(on);
}

void check_model_file(const std::string& path) {
  if (path.empty()) throw InputError("a torchscript model needs model.path, its torch.jit.save file");
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    throw InputError("model file '" + path + "' (model.path) does not exist");
  }
  if (!std::filesystem::is_regular_file(status)) {
    throw InputError("model file '" + path + "' (model.path) is not a file");
  }
}

std::map<std::string, std::vector<std::string>> tied_tensor_names(torch::nn::Module& model) {
  auto* scripted = dynamic_cast<ScriptedModelImpl*>(&model);
  if (!scripted) return {};
  std::unordered_map<const c10::TensorImpl*, std::string> registered;
  for (const auto& item : model.named_parameters()) registered.emplace(item.value().unsafeGetTensorImpl(), item.key());
  for (const auto& item : model.named_buffers()) registered.emplace(item.value().unsafeGetTensorImpl(), item.key());
  std::map<std::string, std::vector<std::string>> tied;
  const auto add = [&](const std::string& name, const torch::Tensor& value) {
    const auto found = registered.find(value.unsafeGetTensorImpl());
    if (found != registered.end() && found->second != name) tied[found->second].push_back(name);
  };
  for (const auto& item : scripted->script().named_parameters(/*recurse=*/true)) add(item.name, item.value);
  for (const auto& item : scripted->script().named_buffers(/*recurse=*/true)) add(item.name, item.value);
  return tied;
}

ScriptedModel load_scripted_model(const std::string& path) {
  check_model_file(path);
  std::ifstream in(path, std::ios::binary);
  return load_scripted_model(in, path);
}

ScriptedModel load_scripted_model(std::istream& in, const std::string& source) {
  torch::jit::Module script;
  try {
    script = torch::jit::load(in, torch::kCPU);
  } catch (const std::exception& error) {  // c10::Error, and the zip reader's own errors
    throw InputError("model file '" + source +
                     "' is not a TorchScript module saved with torch.jit.save (or it is "
                     "truncated): " + reason(error.what()));
  }
  return ScriptedModel(std::move(script), source);
}

}  // namespace qn
