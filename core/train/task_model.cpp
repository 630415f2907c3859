#include "train/task_model.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/sha256.h"
#include "data/text_inputs.h"
#include "nn/convnet.h"
#include "nn/scripted_model.h"
#include "nn/transformer_lm.h"

namespace qn {
namespace {

TaskModel make_convnet(const RunConfig& config, const TaskData& data) {
  ConvNetOptions options;
  options.in_channels = data.image_shape.at(0);
  options.image_size = data.image_shape.at(1);
  options.classes = data.classes;
  options.width = config.model.width;
  options.hidden = config.model.hidden;
  const auto model = ConvNet(options).ptr();
  return {model, [model](const torch::Tensor& x) { return model->forward(x); }, {}, [] {}};
}

TaskModel make_transformer_lm(const RunConfig& config, const TaskData& data) {
  TransformerLMOptions options;
  options.vocabulary = data.classes;
  options.dim = config.model.dim;
  options.layers = config.model.layers;
  options.heads = config.model.heads;
  options.ffn = config.model.ffn;
  options.context = config.model.context;
  options.tied_embeddings = config.model.tied_embeddings;
  options.dropout = config.model.dropout;
  options.layerdrop = config.model.layerdrop;
  const auto model = TransformerLM(options).ptr();
  // Fan et al. 2020's order for language models (docs/method.md section 4.1): feed-forward,
  // then embeddings (the untied output projection with them), then attention.
  const std::vector<std::string> stages = {R"(\.ffn\.)", R"(^(embedding|output)$)",
                                           R"(\.attention\.)"};
  const auto kept = config.model.keep_layers;
  return {model, [model](const torch::Tensor& x) { return model->forward(x); }, stages,
          [model, kept] {
            if (!kept.empty()) model->keep_layers(kept);
          }};
}

std::string read_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("model file '" + path + "' (model.path) cannot be read");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TaskModel load_torchscript(const RunConfig& config) {
  const auto& path = config.model.path;
  check_model_file(path);
  const auto bytes = read_model_file(path);
  const auto& expected = config.model.sha256;
  if (!expected.empty()) {
    const auto actual = sha256_hex(bytes);
    if (actual != expected) {
      throw InputError("model file '" + path + "' is not the one this run was made with: its "
                       "SHA-256 is " + actual + ", the run recorded " + expected +
                       " (model.sha256); put the original file back at model.path");
    }
  }
  std::istringstream stream(bytes);
  const auto model = load_scripted_model(stream, path).ptr();
  if (config.task != "text-classification") {
    return {model, [model](const torch::Tensor& x) { return model->forward(x); }, {}, [] {}};
  }
  const auto inputs = model->input_count();
  if (inputs < 1 || inputs > kTextInputRows) {
    throw InputError("model '" + path + "' takes " + std::to_string(inputs) +
                     " inputs; a text classifier takes input_ids, attention_mask and "
                     "optionally token_type_ids, in that order");
  }
  return {model,
          [model, inputs](const torch::Tensor& x) { return model->forward(text_model_inputs(x, inputs)); },
          {}, [] {}};
}

std::string count_text(double count) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", count);
  return text;
}

}  // namespace

void pin_model_file(RunConfig& config) {
  if (!is_scripted_model(config.model)) return;
  auto& model = config.model;
  check_model_file(model.path);
  model.path = std::filesystem::absolute(model.path).lexically_normal().string();
  const auto hash = sha256_hex(read_model_file(model.path));
  if (!model.sha256.empty() && model.sha256 != hash) {
    throw InputError("model file '" + model.path + "' has SHA-256 " + hash + ", not " +
                     model.sha256 + " as model.sha256 says");
  }
  model.sha256 = hash;
}

void locate_model_file(RunConfig& config, const ModelFileSearch& search) {
  if (!is_scripted_model(config.model)) return;
  auto& path = config.model.path;
  if (!search.given.empty()) {
    path = search.given;
    return;
  }
  if (std::filesystem::is_regular_file(path)) return;
  const auto name = std::filesystem::path(path).filename();
  const auto beside = std::filesystem::path(search.beside) / name;
  if (!search.beside.empty() && std::filesystem::is_regular_file(beside)) {
    path = beside.string();
    return;
  }
  throw InputError("the checkpoint's model file '" + path + "' is not there" +
                   (search.beside.empty() ? "" : " nor beside the checkpoint (" + beside.string() + ")") +
                   ": give its location with --model");
}

double minimum_parameter_count(const RunConfig& config, const TaskData& data) {
  const auto& model = config.model;
  if (is_scripted_model(model)) return 0;  // the file holds the model: nothing to bound
  const double classes = static_cast<double>(data.classes);
  if (model.arch == "transformer-lm") {
    // Per layer: query, key, value and output (dim x dim), and the feed-forward pair.
    const double dim = static_cast<double>(model.dim);
    const double per_layer = 4 * dim * dim + 2 * dim * static_cast<double>(model.ffn);
    return classes * dim + static_cast<double>(model.layers) * per_layer;
  }
  // The hidden layer reads the last block's 5/2 * width channels at a quarter of the side.
  const double side = static_cast<double>(data.image_shape.at(1) / 4);
  const double features = static_cast<double>(model.width * 5 / 2) * side * side;
  return (features + classes) * static_cast<double>(model.hidden);
}

TaskModel make_task_model(const RunConfig& config, const TaskData& data,
                          const torch::Device& device) {
  const double parameters = minimum_parameter_count(config, data);
  if (parameters > kMaxModelParameters) {
    throw InputError("the " + config.model.arch + " this config describes (model.width/hidden, " +
                     "or dim/ffn/layers, and the data) would have at least " +
                     count_text(parameters) + " parameters, more than the " +
                     count_text(kMaxModelParameters) + " QNStudio builds");
  }
  auto model = is_scripted_model(config.model)         ? load_torchscript(config)
               : config.model.arch == "transformer-lm" ? make_transformer_lm(config, data)
                                                       : make_convnet(config, data);
  model.module->to(device);
  return model;
}

void copy_model_state(torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  const auto parameters = from.named_parameters();
  const auto buffers = from.named_buffers();
  for (auto& item : to.named_parameters()) {
    const auto* source = parameters.find(item.key());
    if (!source) throw RuntimeFailure("the model has no parameter '" + item.key() + "' to copy");
    item.value().copy_(*source);
  }
  for (auto& item : to.named_buffers()) {
    const auto* source = buffers.find(item.key());
    if (!source) throw RuntimeFailure("the model has no buffer '" + item.key() + "' to copy");
    item.value().copy_(*source);
  }
}

}  // namespace qn
