// `qnoise inspect --config C`: what a config would compress, before any run: every
// quantizable layer with its shape, its storage (block size and K, and any block-size
// fallback with its reason), its bytes; the stored tensors beside them; the total against
// fp32; and the iPQ stages. From the model's shapes alone: the data need not be there (a
// recipe's size is known before ImageNet is copied); the checks the shapes allow are made
// (preview_size: block sizes, stage and layer patterns), the data's are left to the run.
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "inspect_config.h"
#include "nn/quantizable_layer.h"
#include "train/ipq.h"
#include "train/size_preview.h"
#include "train/task_model.h"

namespace qn::cli {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

// Each iPQ stage's layer names, as run_ipq will take them.
std::vector<std::vector<std::string>> stage_names(const RunConfig& config) {
  if (config.quant.method != QuantMethod::IPQ) return {};
  auto model = make_task_model(config, nominal_task(config), torch::kCPU);
  std::vector<std::vector<std::string>> stages;
  for (const auto& stage : configured_ipq_stages(*model.module, config.quant, model.default_ipq_stages)) {
    stages.emplace_back();
    for (const auto& layer : stage) stages.back().push_back(layer.name);
  }
  return stages;
}

}  // namespace

int inspect_config(const std::string& path, const std::vector<std::string>& overrides, bool json_output) {
  auto json = read_config_file(path);
  for (const auto& assignment : overrides) apply_override(json, assignment);
  auto config = parse_run_config(json);
  const auto preview = preview_size(config);
  std::map<std::string, const SizeEntry*> entries;
  for (const auto& entry : preview.size.entries()) entries[entry.name] = &entry;
  const SizeEntry none;
  const auto entry_of = [&](const LayerPreview& layer) -> const SizeEntry& {
    const auto found = entries.find(weight_tensor_name(layer.layer.name));
    return found == entries.end() ? none : *found->second;
  };
  const auto stages = stage_names(config);
  if (json_output) {
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& layer : preview.layers) {
      const auto& entry = entry_of(layer);
      layers.push_back({{"name", layer.layer.name}, {"kind", to_string(layer.layer.kind)},
                        {"shape", entry.shape}, {"storage", layer.storage},
                        {"compressed", layer.compressed}, {"bytes", entry.bytes.total()}});
    }
    const nlohmann::json output = {{"layers", layers},
                                   {"size_bytes", preview.size.total_bytes()},
                                   {"fp32_bytes", preview.size.fp32_bytes()},
                                   {"compression", preview.size.compression()},
                                   {"exact", preview.exact},
                                   {"ipq_stages", stages}};
    std::cout << output.dump() << "\n";
    return 0;
  }
  std::printf("%-44s %-8s %-18s %12s  %s\n", "layer", "kind", "weight", "bytes", "storage");
  for (const auto& layer : preview.layers) {
    const auto& entry = entry_of(layer);
    std::printf("%-44s %-8s %-18s %12lld  %s\n", layer.layer.name.c_str(), to_string(layer.layer.kind).c_str(),
                shape_text(entry.shape).c_str(), static_cast<long long>(entry.bytes.total()),
                layer.storage.c_str());
  }
  std::printf("\n%zu quantizable layers; the model stores %lld bytes (%.2f MB), %.1fx smaller than fp32 "
              "(%lld bytes)%s\n",
              preview.layers.size(), static_cast<long long>(preview.size.total_bytes()),
              static_cast<double>(preview.size.total_bytes()) / 1e6, preview.size.compression(),
              static_cast<long long>(preview.size.fp32_bytes()),
              preview.exact ? "" : " (not exact: the data decides part of the shapes)");
  for (size_t i = 0; i < stages.size(); ++i) {
    std::printf("iPQ stage %zu: %zu layers, %s ... %s\n", i + 1, stages[i].size(), stages[i].front().c_str(),
                stages[i].back().c_str());
  }
  return 0;
}

}  // namespace qn::cli
