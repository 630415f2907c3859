#include "config/key_titles.h"

#include <algorithm>
#include <map>

namespace qn {
namespace {

// One layer override ({"pattern": "fc1", "method": "int", "bits": 8}) in brief.
std::string override_text(const nlohmann::json& entry) {
  std::string text = entry.value("pattern", "*") + ":";
  const auto method = entry.value("method", "");
  if (method == "int") {
    text += " int" + (entry.contains("bits") ? entry["bits"].dump() : std::string());
  } else if (!method.empty()) {
    text += " " + method;
  }
  if (entry.contains("centroids")) text += " K" + entry["centroids"].dump();
  return text;
}

}  // namespace

std::string key_title(const std::string& key) {
  static const std::map<std::string, std::string> titles = {
      {"quant.method", "quantizer"},
      {"quant.bits", "bits"},
      {"quant.observer", "int observer"},
      {"quant.centroids", "centroids K"},
      {"quant.centroid_bits", "centroid bits"},
      {"quant.block_size.linear", "block: linear"},
      {"quant.block_size.conv1x1", "block: conv 1x1"},
      {"quant.block_size.conv", "block: conv kxk"},
      {"quant.block_size.embedding", "block: embedding"},
      {"quant.finetune_steps", "iPQ fine-tune steps"},
      {"quant.layers", "layer overrides"},
      {"quant.exclude", "uncompressed layers"},
      {"noise.mode", "noise"},
      {"noise.p", "noise rate p"},
      {"noise.form", "noise form"},
      {"train.lr", "learning rate"},
      {"train.seed", "seed"},
      {"train.batch_size", "batch"},
      {"train.epochs", "epochs"},
      {"train.max_steps", "max steps"},
      {"model.width", "width"},
      {"model.hidden", "hidden"},
      {"model.dim", "dim"},
      {"model.ffn", "FFN"},
      {"data.train_limit", "training examples"},
      {"data.eval_limit", "evaluation examples"},
      {"size_bytes", "size"},
  };
  const auto found = titles.find(key);
  return found == titles.end() ? key : found->second;
}

std::string value_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array() && value.empty()) return "(none)";
  const bool overrides = value.is_array() && !value.empty() &&
                         std::all_of(value.begin(), value.end(), [](const nlohmann::json& entry) {
                           return entry.is_object() && entry.contains("pattern");
                         });
  if (!overrides) return value.dump();
  std::string text;
  for (const auto& entry : value) text += (text.empty() ? "" : ", ") + override_text(entry);
  return text;
}

}  // namespace qn
