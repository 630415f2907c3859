#include "config/run_config.h"

#include <fstream>

#include "common/error.h"
#include "config/json_reader.h"

namespace qn {
namespace {

const std::vector<std::string> kTasks = {"fashion-mnist", "idx", "cifar10", "brown-lm", "text-lm"};
const std::vector<std::string> kArchs = {"convnet"};
const std::vector<std::string> kOptimizers = {"adam", "sgd"};
const std::vector<std::string> kSchedules = {"cosine", "linear", "constant"};
const std::vector<std::string> kMethods = {"none", "int", "pq", "ipq"};

void require_one_of(const std::string& key, const std::string& value,
                    const std::vector<std::string>& allowed) {
  for (const auto& option : allowed) {
    if (value == option) return;
  }
  std::string list;
  for (const auto& option : allowed) list += (list.empty() ? "" : ", ") + option;
  throw InputError("config key '" + key + "' is '" + value + "'; expected one of: " + list);
}

void require(bool condition, const std::string& key, const std::string& rule) {
  if (!condition) throw InputError("config key '" + key + "' " + rule);
}

void read_block_sizes(JsonReader& quant, BlockSizes& sizes) {
  if (!quant.has("block_size")) return;
  const auto& value = quant.take("block_size");
  if (value.is_number_integer()) {
    sizes = BlockSizes::uniform(value.get<int64_t>());
  } else if (value.is_object()) {
    JsonReader per_kind(value, quant.path_of("block_size"));
    per_kind.read("linear", sizes.linear);
    per_kind.read("conv1x1", sizes.conv1x1);
    per_kind.read("conv", sizes.conv);
    per_kind.read("embedding", sizes.embedding);
    per_kind.finish();
  } else {
    throw InputError(
        "config key 'quant.block_size' must be an integer or an object "
        "{linear, conv1x1, conv, embedding}");
  }
  for (int64_t size : {sizes.linear, sizes.conv1x1, sizes.conv, sizes.embedding}) {
    require(size >= 1, "quant.block_size", "must be at least 1");
  }
}

void read_noise(JsonReader& noise, NoiseSpec& spec) {
  std::string mode = to_string(spec.mode), form = to_string(spec.form);
  noise.read("mode", mode);
  noise.read("p", spec.p);
  noise.read("form", form);
  noise.finish();
  spec.mode = parse_noise_mode(mode);
  spec.form = parse_noise_form(form);
}

}  // namespace

RunConfig parse_run_config(const nlohmann::json& json) {
  RunConfig config;
  JsonReader top(json, "");
  top.read("task", config.task);
  top.read("device", config.device);
  if (top.has("data")) {
    auto data = top.object("data");
    data.read("dir", config.data.dir);
    data.read("path", config.data.path);
    data.read("train_limit", config.data.train_limit);
    data.read("vocabulary_cap", config.data.vocabulary_cap);
    data.finish();
  }
  if (top.has("model")) {
    auto model = top.object("model");
    model.read("arch", config.model.arch);
    model.read("width", config.model.width);
    model.read("hidden", config.model.hidden);
    model.finish();
  }
  if (top.has("train")) {
    auto train = top.object("train");
    train.read("epochs", config.train.epochs);
    train.read("max_steps", config.train.max_steps);
    train.read("batch_size", config.train.batch_size);
    train.read("lr", config.train.lr);
    train.read("seed", config.train.seed);
    train.read("optimizer", config.train.optimizer);
    train.read("schedule", config.train.schedule);
    train.read("warmup_steps", config.train.warmup_steps);
    train.read("weight_decay", config.train.weight_decay);
    train.read("clip_grad_norm", config.train.clip_grad_norm);
    train.finish();
  }
  if (top.has("quant")) {
    auto quant = top.object("quant");
    quant.read("method", config.quant.method);
    quant.read("bits", config.quant.bits);
    quant.read("observer", config.quant.observer);
    read_block_sizes(quant, config.quant.block_size);
    quant.read("centroids", config.quant.centroids);
    quant.read("centroid_bits", config.quant.centroid_bits);
    quant.read("finetune_steps", config.quant.finetune_steps);
    quant.finish();
  }
  if (top.has("noise")) {
    auto noise = top.object("noise");
    read_noise(noise, config.noise);
  }
  top.finish();

  require_one_of("task", config.task, kTasks);
  require_one_of("model.arch", config.model.arch, kArchs);
  require_one_of("train.optimizer", config.train.optimizer, kOptimizers);
  require_one_of("train.schedule", config.train.schedule, kSchedules);
  require_one_of("quant.method", config.quant.method, kMethods);
  require_one_of("quant.observer", config.quant.observer, {"minmax", "channel", "histogram"});
  require_one_of("device", config.device, {"auto", "cpu", "cuda"});
  require(config.data.train_limit >= 0, "data.train_limit", "must be >= 0");
  require(config.data.vocabulary_cap == 0 || config.data.vocabulary_cap >= 3, "data.vocabulary_cap",
          "must be 0 (no cap) or at least 3");
  require(config.model.width >= 1 && config.model.hidden >= 1, "model.width/model.hidden",
          "must be positive");
  require(config.train.epochs >= 0 && config.train.max_steps >= 0, "train.epochs/max_steps",
          "must be >= 0");
  require(config.train.epochs > 0 || config.train.max_steps > 0, "train.epochs/max_steps",
          "must not both be 0");
  require(config.train.batch_size >= 1, "train.batch_size", "must be at least 1");
  require(config.train.lr > 0, "train.lr", "must be positive");
  require(config.train.warmup_steps >= 0, "train.warmup_steps", "must be >= 0");
  require(config.train.weight_decay >= 0, "train.weight_decay", "must be >= 0");
  require(config.train.clip_grad_norm >= 0, "train.clip_grad_norm", "must be >= 0");
  require(config.quant.bits >= 2 && config.quant.bits <= 8, "quant.bits", "must be 2 to 8");
  require(config.quant.centroids >= 1 && config.quant.centroids <= 65536, "quant.centroids",
          "must be 1 to 65536");
  require(config.quant.centroid_bits == 16 || config.quant.centroid_bits == 8,
          "quant.centroid_bits", "must be 16 (fp16) or 8 (int8)");
  require(config.quant.finetune_steps >= 0, "quant.finetune_steps", "must be >= 0");
  require(config.noise.mode == NoiseMode::None || config.quant.method != "none", "noise.mode",
          "needs a quantizer: quant.method is none");
  validate(config.noise, config.quant.method == "pq" || config.quant.method == "ipq");
  return config;
}

nlohmann::json to_json(const RunConfig& config) {
  const auto& q = config.quant;
  return {
      {"task", config.task},
      {"device", config.device},
      {"data",
       {{"dir", config.data.dir},
        {"path", config.data.path},
        {"train_limit", config.data.train_limit},
        {"vocabulary_cap", config.data.vocabulary_cap}}},
      {"model",
       {{"arch", config.model.arch},
        {"width", config.model.width},
        {"hidden", config.model.hidden}}},
      {"train",
       {{"epochs", config.train.epochs},
        {"max_steps", config.train.max_steps},
        {"batch_size", config.train.batch_size},
        {"lr", config.train.lr},
        {"seed", config.train.seed},
        {"optimizer", config.train.optimizer},
        {"schedule", config.train.schedule},
        {"warmup_steps", config.train.warmup_steps},
        {"weight_decay", config.train.weight_decay},
        {"clip_grad_norm", config.train.clip_grad_norm}}},
      {"quant",
       {{"method", q.method},
        {"bits", q.bits},
        {"observer", q.observer},
        {"block_size",
         {{"linear", q.block_size.linear},
          {"conv1x1", q.block_size.conv1x1},
          {"conv", q.block_size.conv},
          {"embedding", q.block_size.embedding}}},
        {"centroids", q.centroids},
        {"centroid_bits", q.centroid_bits},
        {"finetune_steps", q.finetune_steps}}},
      {"noise",
       {{"mode", to_string(config.noise.mode)},
        {"p", config.noise.p},
        {"form", to_string(config.noise.form)}}},
  };
}

void apply_override(nlohmann::json& config, const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw InputError("--set expects KEY=VALUE, got '" + assignment + "'");
  }
  const auto key = assignment.substr(0, equals);
  const auto text = assignment.substr(equals + 1);
  auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = text;

  nlohmann::json* node = &config;
  size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const auto part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw InputError("--set key '" + key + "' has an empty part");
    if (!node->is_object()) {
      throw InputError("--set key '" + key + "': '" + key.substr(0, start - 1) +
                       "' is not an object");
    }
    if (dot == std::string::npos) {
      (*node)[part] = value;
      return;
    }
    node = &(*node)[part];
    if (node->is_null()) *node = nlohmann::json::object();
    start = dot + 1;
  }
}

nlohmann::json read_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot open config '" + path + "'");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& error) {
    throw InputError("config '" + path + "' is not valid JSON: " + error.what());
  }
}

}  // namespace qn
