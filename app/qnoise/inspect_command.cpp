// `qnoise inspect`: what a .qnz file holds, tensor by tensor, without LibTorch's help.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "commands.h"
#include "config/layer_quant.h"
#include "common/error.h"
#include "config/run_config.h"
#include "inspect_config.h"
#include "io/qnz_reader.h"

namespace qn::cli {
namespace {

struct InspectArgs {
  std::string path;
  std::string config_path;
  std::vector<std::string> overrides;
  bool json = false;
};

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

uint64_t tensor_bytes(const QnzTensor& tensor) {
  uint64_t bytes = 0;
  for (const auto& section : tensor.sections) bytes += section.bytes;
  return bytes;
}

// The layer whose weight `tensor` is ("hidden" for "hidden.weight"), or "". Only the
// weights of quantizable layers (Linear, Conv2d, Embedding: two or more dimensions) are
// set per layer; a norm's weight (one dimension) is not, even where a pattern matches its
// name ("depthwise" and "blocks.0.depthwise_norm").
std::string layer_of_weight(const QnzTensor& tensor) {
  const std::string suffix = ".weight";
  const auto& name = tensor.name;
  if (tensor.shape.size() < 2 || name.size() <= suffix.size() ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return "";
  }
  return name.substr(0, name.size() - suffix.size());
}

// The quant.exclude pattern that left this tensor's layer uncompressed, or "".
std::string excluded_by(const nlohmann::json& config, const QnzTensor& tensor) {
  const auto layer = layer_of_weight(tensor);
  if (layer.empty()) return "";
  const auto patterns = config.value("/quant/exclude"_json_pointer, nlohmann::json::array());
  for (const auto& pattern : patterns) {
    if (!pattern.is_string()) continue;
    try {
      if (std::regex_search(layer, std::regex(pattern.get<std::string>()))) return pattern;
    } catch (const std::regex_error&) {  // a file's config is data: a bad pattern marks nothing
    }
  }
  return "";
}

// The quant.layers entry that set this tensor's layer, as "quant.layers[1] 'pattern'", or
// "". `config` is the file's config parsed once (none if this engine cannot read it).
std::string set_by(const std::optional<RunConfig>& config, const QnzTensor& tensor) {
  const auto layer = layer_of_weight(tensor);
  if (layer.empty() || !config) return "";
  const auto entry = matching_layer_override(config->quant, layer);
  if (!entry) return "";
  return "quant.layers[" + std::to_string(*entry) + "] '" + config->quant.layers[*entry].pattern + "'";
}

nlohmann::json optional_json(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json tensor_json(const QnzTensor& tensor, const nlohmann::json& config,
                           const std::optional<RunConfig>& parsed) {
  const auto excluded = excluded_by(config, tensor);
  return {{"name", tensor.name},
          {"shape", tensor.shape},
          {"method", tensor.method},
          {"block_size", tensor.block_size > 0 ? nlohmann::json(tensor.block_size) : nullptr},
          {"centroids", tensor.centroids > 0 ? nlohmann::json(tensor.centroids) : nullptr},
          {"bits", tensor.stored_bits()},
          {"bytes", tensor_bytes(tensor)},
          {"excluded_by", optional_json(excluded)},
          {"set_by", optional_json(set_by(parsed, tensor))}};
}

// The stage metrics of a PQ or iPQ run's result, if it has them.
void print_stages(const nlohmann::json& result) {
  const auto stages = result.value("stages", nlohmann::json::array());
  const auto metric = result.value("metric_name", std::string("metric"));
  for (const auto& stage : stages) {
    const auto after_finetune = stage.value("metric_after_finetune", nlohmann::json());
    const auto layers = stage.value("layers", nlohmann::json::array()).size();
    std::printf("  stage %d: %s %.4f right after quantization%s (%zu layer%s)\n",
                stage.value("stage", 0), metric.c_str(),
                stage.value("metric_after_quantization", 0.0),
                after_finetune.is_number()
                    ? (", " + std::to_string(after_finetune.get<double>()).substr(0, 6) +
                       " after fine-tuning").c_str()
                    : "",
                layers, layers == 1 ? "" : "s");
  }
}

void print_table(const QnzFile& file) {
  std::printf("%-34s %-18s %-8s %6s %6s %5s %10s\n", "tensor", "shape", "method", "block", "K",
              "bits", "bytes");
  const auto parsed = parse_stored_config(file.config);
  for (const auto& tensor : file.tensors) {
    const auto optional = [](int64_t value) { return value > 0 ? std::to_string(value) : "-"; };
    const auto excluded = excluded_by(file.config, tensor);
    const auto setter = set_by(parsed, tensor);
    const auto note = !excluded.empty() ? "  left uncompressed (quant.exclude " + excluded + ")"
                      : !setter.empty() ? "  set by " + setter
                                        : std::string();
    std::printf("%-34s %-18s %-8s %6s %6s %5d %10llu%s\n", tensor.name.c_str(),
                shape_text(tensor.shape).c_str(), tensor.method.c_str(),
                optional(tensor.block_size).c_str(), optional(tensor.centroids).c_str(),
                tensor.stored_bits(), static_cast<unsigned long long>(tensor_bytes(tensor)),
                note.c_str());
  }
  std::printf("\npayload %llu bytes (the accounted size) + header %llu bytes = file %zu bytes\n",
              static_cast<unsigned long long>(file.payload_bytes),
              static_cast<unsigned long long>(file.header_bytes), file.bytes.size());
  const auto& config = file.config;
  std::printf("config: task %s, model %s, quant %s, noise %s\n",
              config.value("task", "?").c_str(),
              config.value("/model/arch"_json_pointer, std::string("?")).c_str(),
              config.value("/quant/method"_json_pointer, std::string("?")).c_str(),
              config.value("/noise/mode"_json_pointer, std::string("?")).c_str());
  if (config.value("/model/arch"_json_pointer, std::string()) == "torchscript") {
    std::printf("model file: %s (sha256 %s)\n",
                config.value("/model/path"_json_pointer, std::string("?")).c_str(),
                config.value("/model/sha256"_json_pointer, std::string("?")).c_str());
  }
  if (file.result.is_object()) {
    std::printf("stored result: %s %s %.6f on %s\n",
                file.result.value("evaluation_split", "?").c_str(),
                file.result.value("metric_name", "?").c_str(), file.result.value("metric", 0.0),
                file.result.value("device", "?").c_str());
    print_stages(file.result);
  }
}

int run(const InspectArgs& args) {
  if (args.path.empty() == args.config_path.empty()) {
    throw InputError("give a .qnz file or --config (a run config), not both and not neither");
  }
  if (!args.config_path.empty()) return inspect_config(args.config_path, args.overrides, args.json);
  const auto file = read_qnz_file(args.path);
  if (args.json) {
    nlohmann::json tensors = nlohmann::json::array();
    const auto parsed = parse_stored_config(file.config);
    for (const auto& tensor : file.tensors) {
      tensors.push_back(tensor_json(tensor, file.config, parsed));
    }
    const nlohmann::json output = {{"format_version", file.version},
                                   {"file_bytes", file.bytes.size()},
                                   {"header_bytes", file.header_bytes},
                                   {"size_bytes", file.payload_bytes},
                                   {"config", file.config},
                                   {"result", file.result},
                                   {"tensors", tensors}};
    std::cout << output.dump() << "\n";
  } else {
    print_table(file);
  }
  return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<InspectArgs>();
  auto* command = app.add_subcommand(
      "inspect", "list what a .qnz file holds, tensor by tensor; or, with --config, what a config would store");
  command->add_option("file", args->path, "the .qnz checkpoint");
  command->add_option("--config", args->config_path, "a run config: its layers, block sizes and bytes, no run");
  command->add_option("--set", args->overrides, "KEY=VALUE applied to --config (repeatable)");
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
