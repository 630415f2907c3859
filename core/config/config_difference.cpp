#include "config/config_difference.h"

#include <algorithm>
#include <set>

namespace qn {
namespace {

void flatten_into(const nlohmann::json& value, const std::string& prefix,
                  std::map<std::string, nlohmann::json>& out) {
  if (!value.is_object()) {
    out[prefix] = value;
    return;
  }
  for (const auto& [key, child] : value.items()) {
    flatten_into(child, prefix.empty() ? key : prefix + "." + key, out);
  }
}

// "train.seed" -> "/train/seed".
nlohmann::json::json_pointer pointer_of(std::string dotted_key) {
  std::replace(dotted_key.begin(), dotted_key.end(), '.', '/');
  return nlohmann::json::json_pointer("/" + dotted_key);
}

}  // namespace

std::map<std::string, nlohmann::json> flatten_config_values(const RunConfig& config) {
  std::map<std::string, nlohmann::json> flat;
  flatten_into(to_json(config), "", flat);
  return flat;
}

std::map<std::string, std::string> flatten_config(const RunConfig& config) {
  std::map<std::string, std::string> flat;
  for (const auto& [key, value] : flatten_config_values(config)) {
    flat[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return flat;
}

std::vector<std::string> differing_keys(const std::vector<const RunConfig*>& configs) {
  if (configs.empty()) return {};
  std::vector<std::map<std::string, std::string>> flat;
  std::set<std::string> keys;
  for (const auto* config : configs) {
    flat.push_back(flatten_config(*config));
    for (const auto& entry : flat.back()) keys.insert(entry.first);
  }
  std::vector<std::string> differing;
  for (const auto& key : keys) {
    const auto first = flat.front().find(key);
    for (const auto& other : flat) {
      const auto found = other.find(key);
      const bool same = found != other.end() && first != flat.front().end() &&
                        found->second == first->second;
      if (!same) {
        differing.push_back(key);
        break;
      }
    }
  }
  return differing;
}

std::string key_ignoring(const RunConfig& config, const std::vector<std::string>& ignored) {
  auto kept = to_json(config);
  for (const auto& key : ignored) {
    const auto pointer = pointer_of(key);
    if (kept.contains(pointer)) kept[pointer.parent_pointer()].erase(pointer.back());
  }
  return kept.dump();
}

const std::vector<std::string>& noise_keys() {
  static const std::vector<std::string> keys = {"noise"};
  return keys;
}

const std::vector<std::string>& seed_keys() {
  static const std::vector<std::string> keys = {"train.seed"};
  return keys;
}

}  // namespace qn
