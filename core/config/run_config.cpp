#include "config/run_config.h"

#include <fstream>
#include <regex>

#include "common/error.h"
#include "config/choices.h"
#include "config/config_fields.h"
#include "config/config_rules.h"
#include "config/json_reader.h"
#include "config/layer_quant.h"

namespace qn {
namespace {

using config_fields::FieldTags;
using config_fields::visit_config;
using config_fields::visit_fields;
using config_rules::require;
using config_rules::require_one_of;
using config_rules::validate_data_section;

const std::vector<std::string> kArchs = {"convnet", "transformer-lm", "torchscript"};
const std::vector<std::string> kOptimizers = {"adam", "sgd"};
const std::vector<std::string> kSchedules = {"cosine", "linear", "constant"};
const std::vector<std::string> kPqObjectives = {"weights", "activations"};
const std::vector<std::string> kPrecisions = {"fp32", "fp16", "bf16"};  // train/mixed_precision.h

void read_block_sizes(JsonReader& quant, const std::string& key, BlockSizes& sizes) {
  if (!quant.has(key)) return;
  const auto& value = quant.take(key);
  if (value.is_number_integer()) {
    sizes = BlockSizes::uniform(value.get<int64_t>());
  } else if (value.is_object()) {  // the kinds it leaves out take their defaults, whatever was set before
    JsonReader per_kind(value, quant.path_of(key));
    BlockSizes read;
    per_kind.read("linear", read.linear);
    per_kind.read("conv1x1", read.conv1x1);
    per_kind.read("conv", read.conv);
    per_kind.read("embedding", read.embedding);
    per_kind.finish();
    sizes = read;
  } else {
    throw InputError("config key '" + quant.path_of(key) +
                     "' must be an integer or an object {linear, conv1x1, conv, embedding}");
  }
}

void require_regular_expressions(const std::string& key, const std::vector<std::string>& patterns) {
  for (const auto& pattern : patterns) {
    try {
      std::regex check(pattern);
    } catch (const std::regex_error&) {
      throw InputError("config key '" + key + "' holds '" + pattern +
                       "', which is not a regular expression");
    }
  }
}

template <class T>
void read_optional(JsonReader& reader, const std::string& key, std::optional<T>& value) {
  if (!reader.has(key)) return;
  T read_value{};
  reader.read(key, read_value);
  value = read_value;
}

LayerQuantOverride read_layer_override(const nlohmann::json& entry, const std::string& path) {
  if (!entry.is_object()) {
    throw InputError("config key '" + path + "' must be an object {pattern, method, bits, " +
                     "observer, block_size, centroids}");
  }
  JsonReader reader(entry, path);
  LayerQuantOverride layer;
  if (!reader.has("pattern")) throw InputError("config key '" + path + "' needs a 'pattern'");
  reader.read("pattern", layer.pattern);
  if (reader.has("method")) {
    std::string name;
    reader.read("method", name);
    layer.method = parse_quant_method(name);
  }
  read_optional(reader, "bits", layer.bits);
  read_optional(reader, "observer", layer.observer);
  if (reader.has("block_size")) {
    BlockSizes sizes;
    read_block_sizes(reader, "block_size", sizes);
    layer.block_size = sizes;
  }
  read_optional(reader, "centroids", layer.centroids);
  reader.finish();
  return layer;
}

nlohmann::json block_sizes_json(const BlockSizes& sizes) {
  return {{"linear", sizes.linear},
          {"conv1x1", sizes.conv1x1},
          {"conv", sizes.conv},
          {"embedding", sizes.embedding}};
}

nlohmann::json layer_override_json(const LayerQuantOverride& layer) {
  nlohmann::json entry = {{"pattern", layer.pattern}};
  if (layer.method) entry["method"] = to_string(*layer.method);
  if (layer.bits) entry["bits"] = *layer.bits;
  if (layer.observer) entry["observer"] = *layer.observer;
  if (layer.block_size) entry["block_size"] = block_sizes_json(*layer.block_size);
  if (layer.centroids) entry["centroids"] = *layer.centroids;
  return entry;
}

// One list of every section's keys (the visit_fields overloads) serves both directions:
// ReadField walks it to parse, WriteField to write the complete config.
struct ReadField {
  JsonReader& reader;

  template <class T>
  void operator()(const char* key, T& value, FieldTags) {
    reader.read(key, value);
  }
  void operator()(const char* key, BlockSizes& sizes, FieldTags) { read_block_sizes(reader, key, sizes); }
  void operator()(const char* key, NoiseMode& mode, FieldTags) {
    std::string name = to_string(mode);
    reader.read(key, name);
    mode = parse_noise_mode(name);
  }
  void operator()(const char* key, NoiseForm& form, FieldTags) {
    std::string name = to_string(form);
    reader.read(key, name);
    form = parse_noise_form(name);
  }
  void operator()(const char* key, QuantMethod& method, FieldTags) {
    std::string name = to_string(method);
    reader.read(key, name);
    method = parse_quant_method(name);
  }
  void operator()(const char* key, std::vector<LayerQuantOverride>& layers, FieldTags) {
    if (!reader.has(key)) return;
    const auto& list = reader.take(key);
    const auto path = reader.path_of(key);
    if (!list.is_array()) throw InputError("config key '" + path + "' must be a list of objects");
    layers.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      layers.push_back(read_layer_override(list[i], path + "[" + std::to_string(i) + "]"));
    }
  }
};

struct WriteField {
  nlohmann::json& object;

  template <class T>
  void operator()(const char* key, const T& value, FieldTags) {
    object[key] = value;
  }
  void operator()(const char* key, const BlockSizes& sizes, FieldTags) { object[key] = block_sizes_json(sizes); }
  void operator()(const char* key, const std::vector<LayerQuantOverride>& layers, FieldTags) {
    object[key] = nlohmann::json::array();
    for (const auto& layer : layers) object[key].push_back(layer_override_json(layer));
  }
  void operator()(const char* key, NoiseMode mode, FieldTags) { object[key] = to_string(mode); }
  void operator()(const char* key, NoiseForm form, FieldTags) { object[key] = to_string(form); }
  void operator()(const char* key, QuantMethod method, FieldTags) { object[key] = to_string(method); }
};

// The settings a quantizer reads, of the section (`key` "quant") or of one layer's
// (quant.layers[i] applied to the section).
void validate_quantizer_settings(const QuantConfig& quant, const std::string& key) {
  require_one_of(key + ".observer", quant.observer, observer_names());
  for (int64_t size : {quant.block_size.linear, quant.block_size.conv1x1, quant.block_size.conv,
                       quant.block_size.embedding}) {
    require(size >= 1, key + ".block_size", "must be at least 1");
  }
  require(quant.bits >= 2 && quant.bits <= 8, key + ".bits", "must be 2 to 8");
  require(quant.centroids >= 1 && quant.centroids <= 65536, key + ".centroids",
          "must be 1 to 65536");
}

void validate_layer_overrides(const QuantConfig& quant) {
  for (size_t i = 0; i < quant.layers.size(); ++i) {
    const auto key = "quant.layers[" + std::to_string(i) + "]";
    const auto& layer = quant.layers[i];
    require_regular_expressions(key + ".pattern", {layer.pattern});
    validate_quantizer_settings(with_override(quant, layer), key);
    require(layer.method != QuantMethod::IPQ || quant.method == QuantMethod::IPQ, key + ".method",
            "may be ipq only when quant.method is ipq (iPQ stages the whole model)");
  }
}

// Sets `value` at a dotted key inside a JSON object, creating objects on the way; `what`
// names the key in errors ("--set key").
void set_at_dotted_key(nlohmann::json& object, const std::string& key, const nlohmann::json& value,
                       const std::string& what) {
  nlohmann::json* node = &object;
  size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const auto part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw InputError(what + " '" + key + "' has an empty part");
    if (!node->is_object()) {
      throw InputError(what + " '" + key + "': '" + key.substr(0, start - 1) + "' is not an object");
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

}  // namespace

bool is_scripted_model(const ModelConfig& model) { return model.arch == "torchscript"; }

bool is_compress_only(const TrainConfig& train) {
  return train.epochs == 0 && train.max_steps == 0;
}

bool is_text_task(const std::string& task) {
  return is_language_model_task(task) || task == "text-classification";
}

bool is_language_model_task(const std::string& task) { return task == "brown-lm" || task == "text-lm"; }

std::string& data_location(RunConfig& config) {
  return is_text_task(config.task) ? config.data.path : config.data.dir;
}

const std::string& data_location(const RunConfig& config) {
  return is_text_task(config.task) ? config.data.path : config.data.dir;
}

RunConfig parse_run_config(const nlohmann::json& json) {
  auto config = read_config_fields(json);
  validate(config);
  return config;
}

RunConfig read_config_fields(const nlohmann::json& json) {
  RunConfig config;
  JsonReader top(json, "");
  visit_config(config, ReadField{top}, [&](const char* name, auto& section) {
    if (!top.has(name)) return;
    auto reader = top.object(name);
    visit_fields(section, ReadField{reader});
    reader.finish();
  });
  top.finish();
  return config;
}

std::optional<RunConfig> parse_stored_config(const nlohmann::json& config) {
  try {
    return parse_run_config(config);
  } catch (const InputError&) {
    return std::nullopt;
  }
}

void validate(const RunConfig& config) {
  require_one_of("task", config.task, task_names());
  require_one_of("model.arch", config.model.arch, kArchs);
  require_one_of("train.optimizer", config.train.optimizer, kOptimizers);
  require_one_of("train.schedule", config.train.schedule, kSchedules);
  require_one_of("device", config.device, device_names());
  require(config.data.train_limit >= 0, "data.train_limit", "must be >= 0");
  require(config.data.eval_limit >= 0, "data.eval_limit", "must be >= 0");
  require(config.data.vocabulary_cap == 0 || config.data.vocabulary_cap >= 3, "data.vocabulary_cap",
          "must be 0 (no cap) or at least 3");
  require(config.data.image_size >= 1, "data.image_size", "must be positive");
  validate_data_section(config.task, config.data);
  if (config.task == "image-folder" && config.model.arch == "convnet") {
    require(config.data.image_size % 4 == 0, "data.image_size",
            "must be a multiple of 4 for the convnet (it halves the side twice)");
  }
  require(config.model.width >= 1 && config.model.hidden >= 1, "model.width/model.hidden",
          "must be positive");
  const bool text_task = is_text_task(config.task);
  const bool scripted = is_scripted_model(config.model);
  const bool builtin_fits = text_task ? is_language_model_task(config.task) && config.model.arch == "transformer-lm"
                                      : config.model.arch == "convnet";
  if (!scripted && !builtin_fits) {
    throw InputError("config key 'model.arch' is '" + config.model.arch + "', which task '" +
                     config.task + "' cannot use (language-model tasks: transformer-lm; image " +
                     "tasks: convnet; any task, and text-classification only: torchscript)");
  }
  require(!scripted || !config.model.path.empty(), "model.path",
          "must name the torch.jit.save file of a torchscript model");
  for (int64_t side : config.model.input) require(side >= 1, "model.input", "must list positive sizes");
  require(config.model.dim >= 1 && config.model.layers >= 1 && config.model.heads >= 1 &&
              config.model.ffn >= 1 && config.model.context >= 1,
          "model.dim/layers/heads/ffn/context", "must be positive");
  require(config.model.dim % config.model.heads == 0, "model.dim",
          "must be divisible by model.heads");
  require(config.model.dropout >= 0 && config.model.dropout < 1, "model.dropout",
          "must be in [0, 1)");
  require(config.model.layerdrop >= 0 && config.model.layerdrop < 1, "model.layerdrop",
          "must be in [0, 1)");
  for (size_t i = 0; i < config.model.keep_layers.size(); ++i) {
    require(config.model.keep_layers[i] >= 0 && config.model.keep_layers[i] < config.model.layers &&
                (i == 0 || config.model.keep_layers[i] > config.model.keep_layers[i - 1]),
            "model.keep_layers", "must list increasing layer indices below model.layers");
  }
  require(config.train.epochs >= 0 && config.train.max_steps >= 0, "train.epochs/max_steps",
          "must be >= 0");
  require(scripted || !is_compress_only(config.train), "train.epochs/max_steps",
          "must not both be 0 for a model QNStudio builds (0 compresses a pretrained "
          "torchscript model as it is; the built-in models start from random weights)");
  require(config.train.batch_size >= 1, "train.batch_size", "must be at least 1");
  require(config.train.lr > 0, "train.lr", "must be positive");
  require(config.train.warmup_steps >= 0, "train.warmup_steps", "must be >= 0");
  require(config.train.weight_decay >= 0, "train.weight_decay", "must be >= 0");
  require(config.train.clip_grad_norm >= 0, "train.clip_grad_norm", "must be >= 0");
  require_one_of("train.precision", config.train.precision, kPrecisions);
  require(config.train.eval_every >= 0, "train.eval_every", "must be >= 0 (0: only at the end)");
  validate_quantizer_settings(config.quant, "quant");
  require(config.quant.centroid_bits == 16 || config.quant.centroid_bits == 8,
          "quant.centroid_bits", "must be 16 (fp16) or 8 (int8)");
  require(config.quant.plain_bits == 32 || config.quant.plain_bits == 16, "quant.plain_bits",
          "must be 32 (fp32) or 16 (fp16)");
  require(config.quant.finetune_steps >= 0, "quant.finetune_steps", "must be >= 0");
  require(config.quant.distillation >= 0 && config.quant.distillation <= 1,
          "quant.distillation", "must be in [0, 1]");
  // Like the other PQ-only keys, these are ignored by a run in which no layer uses k-means
  // (int, none), so that a sweep may cross quant.method with quant.pq_objective.
  require_one_of("quant.pq_objective", config.quant.pq_objective, kPqObjectives);
  require(config.quant.calibration_batches >= 1, "quant.calibration_batches",
          "must be at least 1 (training batches whose inputs activation-aware PQ measures)");
  require(config.quant.batchnorm_batches >= 1, "quant.batchnorm_batches",
          "must be at least 1 (training batches that re-estimate BatchNorm after compression)");
  require_regular_expressions("quant.stages", config.quant.stages);
  require_regular_expressions("quant.exclude", config.quant.exclude);
  validate_layer_overrides(config.quant);
  require(config.noise.mode == NoiseMode::None || config.quant.method != QuantMethod::None,
          "noise.mode", "needs a quantizer: quant.method is none");
  validate(config.noise, uses_codebooks(config.quant.method));
}

nlohmann::json to_json(const RunConfig& config) {
  auto fields = config;  // the visitors take fields by reference
  nlohmann::json json = nlohmann::json::object();
  visit_config(fields, WriteField{json}, [&](const char* name, auto& section) {
    visit_fields(section, WriteField{json[name]});
  });
  return json;
}

void apply_override(nlohmann::json& config, const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw InputError("--set expects KEY=VALUE, got '" + assignment + "'");
  }
  const auto text = assignment.substr(equals + 1);
  auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) value = text;
  set_at_dotted_key(config, assignment.substr(0, equals), value, "--set key");
}

void set_config_value(RunConfig& config, const std::string& key, const nlohmann::json& value) {
  bool found = false;
  // The field named by the key, or holding it (quant.block_size holds
  // quant.block_size.linear): written out, the value set inside, read back as parsing reads it.
  const auto set_in = [&](const std::string& section, const char* name, auto& field) {
    const auto field_key = section.empty() ? std::string(name) : section + "." + name;
    if (key != field_key && key.rfind(field_key + ".", 0) != 0) return;
    nlohmann::json holder = nlohmann::json::object();
    WriteField{holder}(name, field, config_fields::kKept);
    set_at_dotted_key(holder, key.substr(field_key.size() - std::string(name).size()), value,
                      "config key");
    JsonReader reader(holder, section);
    ReadField{reader}(name, field, config_fields::kKept);
    reader.finish();
    found = true;
  };
  visit_config(
      config, [&](const char* name, auto& field, FieldTags) { set_in("", name, field); },
      [&](const char* section, auto& fields) {
        visit_fields(fields, [&](const char* name, auto& field, FieldTags) { set_in(section, name, field); });
      });
  if (!found) throw InputError("there is no config key '" + key + "'");
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
