#include "train/torchscript_export.h"

#include <sstream>

#include "common/error.h"
#include "io/checkpoint.h"
#include "nn/module_script.h"
#include "nn/scripted_model.h"
#include "train/compressed_model_loader.h"
#include "train/weight_decoders.h"

namespace qn {
namespace {

// The model a checkpoint defines, every value decoded, as a TorchScript module.
torch::jit::Module decoded_model_script(const RunConfig& config, const CompressedModel& compressed) {
  const auto model = load_compressed_model(config, data_shapes_from_checkpoint(config, compressed),
                                           compressed, torch::kCPU);
  if (auto* scripted = dynamic_cast<ScriptedModelImpl*>(model.module.get())) return scripted->script();
  return script_module(*model.module);
}

std::string saved(const torch::jit::Module& module) {
  std::ostringstream bytes;
  module.save(bytes);
  return bytes.str();
}

bool is_identifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// Where tensor "a.b.weight" lives: the module a.b inside `model` (TorchScript: the
// expression reaching it from the local `model`), and the attribute "weight".
struct TensorSlot {
  torch::jit::Module owner;
  std::string owner_expression;
  std::string attribute;
};

TensorSlot slot_of(const torch::jit::Module& model, const std::string& name) {
  TensorSlot slot{model, "model", name};
  for (auto dot = slot.attribute.find('.'); dot != std::string::npos; dot = slot.attribute.find('.')) {
    const auto child = slot.attribute.substr(0, dot);
    if (!slot.owner.hasattr(child) || !slot.owner.attr(child).isModule()) {
      throw InputError("the model has no submodule '" + child + "' for tensor '" + name + "'");
    }
    slot.owner = slot.owner.attr(child).toModule();
    slot.owner_expression = "getattr(" + slot.owner_expression + ", \"" + child + "\")";
    slot.attribute = slot.attribute.substr(dot + 1);
  }
  if (!is_identifier(slot.attribute) || !slot.owner.hasattr(slot.attribute)) {
    throw InputError("the model has no tensor '" + name + "' to decode into");
  }
  return slot;
}

// Every slot of `module` (reached by `expression`) and its submodules holding `tensor`: a
// tied tensor is held by several modules, and each must hold the decoded one.
void collect_slots(const torch::jit::Module& module, const std::string& expression,
                   const torch::Tensor& tensor, std::vector<TensorSlot>& slots) {
  for (const auto& attribute : module.named_attributes(/*recurse=*/false)) {
    if (attribute.value.isTensor() && attribute.value.toTensor().is_same(tensor)) {
      slots.push_back({module, expression, attribute.name});
    }
  }
  for (const auto& child : module.named_children()) {
    collect_slots(child.value, "getattr(" + expression + ", \"" + child.name + "\")", tensor, slots);
  }
}

// "def forward(self, input: Tensor) -> Tensor:" with the model's own arguments and result.
std::string forward_signature(const torch::jit::Module& model, std::string& call_arguments) {
  const auto& schema = model.get_method("forward").function().getSchema();
  std::string parameters = "self";
  for (size_t i = 1; i < schema.arguments().size(); ++i) {
    const auto& argument = schema.arguments()[i];
    parameters += ", " + argument.name() + ": " + argument.type()->annotation_str();
    call_arguments += (i > 1 ? ", " : "") + argument.name();
  }
  const auto& returns = schema.returns();
  const std::string result = returns.size() == 1 ? returns[0].type()->annotation_str() : "Any";
  return "def forward(" + parameters + ") -> " + result + ":\n";
}

}  // namespace

std::string compact_torchscript_bytes(const RunConfig& config, const QnzFile& checkpoint) {
  auto model = decoded_model_script(config, decode_checkpoint(checkpoint));
  WeightDecoders decoders;
  torch::jit::Module compact(c10::QualifiedName("__torch__.qnstudio.CompactModel"), decoders.unit());
  torch::jit::Module container(c10::QualifiedName("__torch__.qnstudio.Decoders"), decoders.unit());
  for (auto* module : {&compact, &container}) {
    module->register_attribute("training", c10::BoolType::get(), false);
  }
  std::string call_arguments;
  std::string source = forward_signature(model, call_arguments) +
                       "    model = self.model\n"
                       "    decoders = self.decoders\n";
  std::string release;
  c10::List<std::string> decoded;
  for (const auto& tensor : checkpoint.tensors) {
    if (tensor.method == "fp32") continue;  // kept in the model as it is
    const auto slot = slot_of(model, tensor.name);
    std::vector<TensorSlot> slots;
    collect_slots(model, "model", slot.owner.attr(slot.attribute).toTensor(), slots);
    const auto index = std::to_string(decoded.size());
    container.register_module(index, decoders.decoder(tensor, checkpoint));
    decoded.push_back(tensor.name);
    source += "    qnstudio_decoded = getattr(decoders, \"" + index + "\").decode()\n";
    for (auto& holder : slots) {
      holder.owner.setattr(holder.attribute, torch::empty({0}));
      const auto target = "    " + holder.owner_expression + "." + holder.attribute + " = ";
      source += target + "qnstudio_decoded\n";
      release += target + "self.released\n";
    }
  }
  source += "    result = model.forward(" + call_arguments + ")\n" + release + "    return result\n";
  compact.register_module("model", model);
  compact.register_module("decoders", container);
  compact.register_attribute("decoded_tensors", c10::ListType::ofStrings(), decoded);
  // A classifier's output names, as the run read them (text-classification): model.labels.
  const auto labels = checkpoint.result.is_object() ? checkpoint.result.value("labels", nlohmann::json::array())
                                                    : nlohmann::json::array();
  if (!labels.empty()) {
    c10::List<std::string> names;
    for (const auto& label : labels) names.push_back(label.get<std::string>());
    compact.register_attribute("labels", c10::ListType::ofStrings(), names);
  }
  compact.register_buffer("released", torch::empty({0}));
  compact.define(source);
  return saved(compact);
}

std::string float_torchscript_bytes(const RunConfig& config, const CompressedModel& compressed) {
  return saved(decoded_model_script(config, compressed));
}

}  // namespace qn
