#include "nn/module_script.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/normalization.h>

#include "common/error.h"
#include "nn/script_form.h"

namespace qn {
namespace {

// "qn::TransformerLayerImpl" -> "TransformerLayer".
std::string short_class_name(const torch::nn::Module& module) {
  std::string name = module.name();
  name = name.substr(name.rfind(':') == std::string::npos ? 0 : name.rfind(':') + 1);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0) name.resize(name.size() - 4);
  return name;
}

std::string batchnorm_forward(const torch::nn::BatchNorm2dImpl& norm) {
  const auto& options = norm.options;
  if (!options.affine() || !options.track_running_stats()) {
    throw InputError("a BatchNorm2d without affine parameters or running statistics has no "
                     "TorchScript form here");
  }
  return "def forward(self, input: Tensor) -> Tensor:\n"
         "    return torch.batch_norm(input, self.weight, self.bias, self.running_mean, "
         "self.running_var, False, 0.0, " +
         script_number(options.eps()) + ", False)\n";
}

std::string layernorm_forward(const torch::nn::LayerNormImpl& norm) {
  const auto& options = norm.options;
  std::string shape;
  for (const auto size : options.normalized_shape()) {
    shape += (shape.empty() ? "" : ", ") + std::to_string(size);
  }
  const std::string affine = options.elementwise_affine() ? "self.weight, self.bias" : "None, None";
  return "def forward(self, input: Tensor) -> Tensor:\n"
         "    return torch.layer_norm(input, [" + shape + "], " + affine + ", " +
         script_number(options.eps()) + ")\n";
}

// The module's forward in TorchScript; "" for a container that has none (a ModuleList).
std::string forward_source(const torch::nn::Module& module) {
  if (const auto* form = dynamic_cast<const ScriptForm*>(&module)) return form->script_forward();
  if (const auto* norm = dynamic_cast<const torch::nn::BatchNorm2dImpl*>(&module)) {
    return batchnorm_forward(*norm);
  }
  if (const auto* norm = dynamic_cast<const torch::nn::LayerNormImpl*>(&module)) {
    return layernorm_forward(*norm);
  }
  if (dynamic_cast<const torch::nn::ModuleListImpl*>(&module)) return "";
  throw InputError("module " + module.name() + " has no TorchScript form");
}

bool is_dropout(const torch::nn::Module& module) {
  return dynamic_cast<const torch::nn::DropoutImpl*>(&module) != nullptr;
}

class ModuleScripter {
 public:
  torch::jit::Module script(torch::nn::Module& module) {
    // Each module gets its own class: two blocks of one C++ class differ in their
    // constants (strides, residuals) and so in their code.
    torch::jit::Module script(
        c10::QualifiedName("__torch__.qnstudio." + short_class_name(module) + "_" +
                           std::to_string(classes_++)),
        unit_);
    script.register_attribute("training", c10::BoolType::get(), false);
    for (const auto& parameter : module.named_parameters(/*recurse=*/false)) {
      script.register_parameter(parameter.key(), parameter.value().detach(), false);
    }
    for (const auto& buffer : module.named_buffers(/*recurse=*/false)) {
      script.register_buffer(buffer.key(), buffer.value().detach());
    }
    for (const auto& child : module.named_children()) {
      // Dropout is the identity in evaluation mode: no forward calls it.
      if (!is_dropout(*child.value())) script.register_module(child.key(), this->script(*child.value()));
    }
    const auto source = forward_source(module);
    if (!source.empty()) script.define(source);
    return script;
  }

 private:
  std::shared_ptr<torch::jit::CompilationUnit> unit_ =
      std::make_shared<torch::jit::CompilationUnit>();
  int classes_ = 0;
};

}  // namespace

torch::jit::Module script_module(torch::nn::Module& model) { return ModuleScripter().script(model); }

}  // namespace qn
