#include "train/compressed_model_loader.h"

#include <cmath>
#include <map>

#include "common/error.h"
#include "quant/block_layout.h"
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

}  // namespace

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
                                const CompressedModel& compressed, const torch::Device& device) {
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
  auto model = make_task_model(config, data, device);
  model.prune();
  std::map<std::string, const CompressedTensor*> unused;
  for (const auto& [name, tensor] : compressed.tensors()) unused[name] = tensor.get();

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
  for (const auto& item : model.module->named_parameters()) load(item.key(), item.value());
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
                                     const CancelToken* cancel) {
  auto model = load_compressed_model(config, data, compressed, device);
  return evaluate(*model.module, model.forward, data.evaluation, cancel);
}

}  // namespace qn
