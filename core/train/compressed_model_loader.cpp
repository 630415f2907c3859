#include "train/compressed_model_loader.h"

#include <cmath>
#include <map>
#include <set>

#include "common/error.h"
#include "nn/quantizable_layer.h"
#include "quant/block_layout.h"
#include "quant/pq_lookup.h"
#include "train/model_compression.h"

namespace qn {
namespace {

std::vector<int64_t> stored_shape(const CompressedModel& compressed, const std::string& name,
                                  size_t rank) {
  for (const auto& [stored, tensor] : compressed.tensors()) {
    if (stored == name && tensor->shape().size() == rank) return tensor->shape();
  }
  throw InputError("the checkpoint has no " + std::to_string(rank) + "-dimensional tensor '" +
                   name + "', which its model needs");
}

// The weights the layers of `model` compute from their codes, by name ("hidden.weight"):
// every PQ weight of a layer that can.
std::set<std::string> serve_from_codes(torch::nn::Module& model, const CompressedModel& compressed) {
  std::map<std::string, const PqTensor*> product_quantized;
  for (const auto& [name, tensor] : compressed.tensors()) {
    if (const auto* pq = dynamic_cast<const PqTensor*>(tensor.get())) product_quantized[name] = pq;
  }
  std::set<std::string> served;
  for (const auto& [name, layer] : quantizable_layers(model)) {
    const auto found = product_quantized.find(weight_tensor_name(name));
    if (found == product_quantized.end() || !layer->can_compute_from_codes()) continue;
    layer->compute_from_codes(std::make_shared<PqLookup>(*found->second));
    served.insert(found->first);
  }
  return served;
}

void check_lookup_engine(const RunConfig& config, const torch::Device& device) {
  if (is_scripted_model(config.model)) {
    throw InputError("a torchscript model's layers run inside TorchScript: lookup tables "
                     "(--engine lut) serve the built-in models");
  }
  if (!device.is_cpu()) throw InputError("lookup tables (--engine lut) run on the CPU only");
}

}  // namespace

InferenceEngine parse_inference_engine(const std::string& name) {
  if (name == "decoded") return InferenceEngine::Decoded;
  if (name == "lut") return InferenceEngine::LookupTables;
  throw InputError("the inference engine must be decoded or lut, got '" + name + "'");
}

TaskData data_shapes_from_checkpoint(const RunConfig& config, const CompressedModel& compressed) {
  TaskData data;
  if (is_scripted_model(config.model)) return data;
  if (config.model.arch == "transformer-lm") {
    data.classes = stored_shape(compressed, "embedding.weight", 2)[0];
    return data;
  }
  // The ConvNet (nn/convnet.h): the stem reads the image's channels; the hidden layer reads
  // the last block's 5/2 * width channels on a quarter of the image's side.
  const auto stem = stored_shape(compressed, "stem.weight", 4);
  const auto hidden = stored_shape(compressed, "hidden.weight", 2);
  const int64_t channels = stem[0] * 5 / 2;
  const auto side = static_cast<int64_t>(std::lround(std::sqrt(double(hidden[1]) / double(channels))));
  if (channels <= 0 || side * side * channels != hidden[1]) {
    throw InputError("the checkpoint's hidden.weight " + shape_string(hidden) +
                     " does not follow from its stem.weight " + shape_string(stem));
  }
  data.image_shape = {stem[1], side * 4, side * 4};
  data.classes = stored_shape(compressed, "classifier.weight", 2)[0];
  return data;
}

TaskModel load_compressed_model(const RunConfig& config, const TaskData& data,
                                const CompressedModel& compressed, const torch::Device& device,
                                InferenceEngine engine) {
  // A config that asks for a bigger model than the file's tensors could fill is refused
  // before that model is built (a crafted file must not make us allocate what it names).
  int64_t stored_values = 0;
  for (const auto& [name, tensor] : compressed.tensors()) stored_values += tensor->numel();
  auto kept = config;  // after LayerDrop pruning, only the kept layers are stored
  if (!kept.model.keep_layers.empty()) {
    kept.model.layers = static_cast<int64_t>(kept.model.keep_layers.size());
  }
  const double needed = minimum_parameter_count(kept, data);
  if (needed > static_cast<double>(stored_values)) {
    throw InputError("the checkpoint's config describes a " + config.model.arch +
                     " of at least " + std::to_string(static_cast<long long>(needed)) +
                     " parameters, but its tensors hold " + std::to_string(stored_values) +
                     " values");
  }
  const bool from_codes = engine == InferenceEngine::LookupTables;
  if (from_codes) check_lookup_engine(config, device);
  auto model = make_task_model(config, data, device);
  model.prune();
  std::map<std::string, const CompressedTensor*> unused;
  for (const auto& [name, tensor] : compressed.tensors()) unused[name] = tensor.get();
  const auto served = from_codes ? serve_from_codes(*model.module, compressed) : std::set<std::string>{};
  if (from_codes && served.empty()) {
    throw InputError("no layer of this " + config.model.arch + " is product-quantized where "
                     "lookup tables apply (a PQ Linear, Embedding or 1x1 convolution): --engine "
                     "lut has nothing to compute from codes");
  }

  torch::NoGradGuard no_grad;
  const auto load = [&](const std::string& name, const torch::Tensor& target) {
    const auto found = unused.find(name);
    if (found == unused.end()) {
      throw InputError("the checkpoint has no tensor '" + name + "', which the " +
                       config.model.arch + " model of its config needs");
    }
    const auto shape = found->second->shape();
    if (shape != target.sizes().vec()) {
      throw InputError("tensor '" + name + "' has shape " + shape_string(shape) +
                       " in the checkpoint, but " + shape_string(target.sizes().vec()) +
                       " in the model its config builds");
    }
    target.detach().copy_(found->second->decode());
    unused.erase(found);
  };
  for (const auto& item : model.module->named_parameters()) {
    if (served.count(item.key())) {
      item.value().set_(torch::empty({0}, item.value().options()));  // the codes serve it
      unused.erase(item.key());
    } else {
      load(item.key(), item.value());
    }
  }
  for (const auto& item : model.module->named_buffers()) {
    if (!is_training_only_buffer(item.key())) load(item.key(), item.value());
  }
  if (!unused.empty()) {
    throw InputError("the checkpoint's tensor '" + unused.begin()->first +
                     "' belongs to no parameter of the " + config.model.arch +
                     " model its config builds");
  }
  model.module->eval();
  return model;
}

Evaluation evaluate_compressed_model(const RunConfig& config, const TaskData& data,
                                     const CompressedModel& compressed, const torch::Device& device,
                                     const CancelToken* cancel, InferenceEngine engine) {
  auto model = load_compressed_model(config, data, compressed, device, engine);
  return evaluate(*model.module, model.forward, data.evaluation, cancel);
}

}  // namespace qn
