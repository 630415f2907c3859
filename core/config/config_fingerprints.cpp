#include "config/config_fingerprints.h"

#include <cstdio>
#include <map>
#include <tuple>

#include "common/sha256.h"
#include "config/config_fields.h"

namespace qn {
namespace {

using config_fields::FieldTags;
using config_fields::InHash;
using config_fields::InTrainingKey;

// A field's place in the config's JSON: its section ("" at the top level) and key.
struct FieldPath {
  std::string section;
  std::string key;
  bool operator<(const FieldPath& other) const {
    return std::tie(section, key) < std::tie(other.section, other.key);
  }
};

// Every field's tags, by place, collected once by walking RunConfig.
const std::map<FieldPath, FieldTags>& field_tags() {
  static const auto tags = [] {
    std::map<FieldPath, FieldTags> collected;
    RunConfig config;
    std::string section;
    const auto collect = [&](const char* key, const auto&, FieldTags field) {
      collected.emplace(FieldPath{section, key}, field);
    };
    config_fields::visit_config(config, collect, [&](const char* name, auto& fields) {
      section = name;
      config_fields::visit_fields(fields, collect);
      section.clear();
    });
    return collected;
  }();
  return tags;
}

// The value at `path` in `config`, or null where it has none.
const nlohmann::json* find(const nlohmann::json& config, const FieldPath& path) {
  const nlohmann::json* object = &config;
  if (!path.section.empty()) {
    const auto section = config.find(path.section);
    if (section == config.end() || !section->is_object()) return nullptr;
    object = &*section;
  }
  const auto value = object->find(path.key);
  return value == object->end() ? nullptr : &*value;
}

void erase(nlohmann::json& config, const FieldPath& path) {
  if (path.section.empty()) {
    config.erase(path.key);
  } else if (config.contains(path.section) && config[path.section].is_object()) {
    config[path.section].erase(path.key);
  }
}

const nlohmann::json& defaults() {
  static const auto json = to_json(RunConfig{});
  return json;
}

bool at_default(const nlohmann::json& config, const FieldPath& path) {
  const auto* value = find(config, path);
  return value && *value == *find(defaults(), path);
}

std::string fnv1a_hex(const std::string& bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (const unsigned char byte : bytes) hash = (hash ^ byte) * 1099511628211ull;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

// Bumped when training itself changes, so that a store never hands a run a model trained
// by other code.
constexpr int kTrainingKeyVersion = 1;

// Whether a quant field tagged `tag` is read by the training noise of `method` and `form`.
bool read_by_noise(InTrainingKey tag, bool int_method, const std::string& form) {
  switch (tag) {
    case InTrainingKey::AfterTraining: return false;
    case InTrainingKey::IntNoise: return int_method;
    case InTrainingKey::CodebookNoise: return !int_method;
    case InTrainingKey::ExactCodebookNoise: return !int_method && form == "exact";
    default: return true;
  }
}

}  // namespace

std::string config_hash(const nlohmann::json& config) {
  auto kept = config;
  const bool image_folder = config.value("task", "") == "image-folder";
  for (const auto& [path, tags] : field_tags()) {
    const bool left_out = tags.hash == InHash::No ||
                          (tags.hash == InHash::OmitAtDefault && at_default(kept, path)) ||
                          (tags.hash == InHash::ImageFolderTaskOnly && !image_folder);
    if (left_out) erase(kept, path);
  }
  return fnv1a_hex(kept.dump());  // nlohmann sorts object keys
}

std::string training_key(const nlohmann::json& config) {
  auto key = config;
  const auto noise = config.value("noise", nlohmann::json::object());
  const auto mode = noise.value("mode", "none");
  const auto form = noise.value("form", "");
  const bool int_method = config.value("quant", nlohmann::json::object()).value("method", "") == "int";
  for (const auto& [path, tags] : field_tags()) {
    const auto tag = tags.training;
    bool left_out = tag == InTrainingKey::No ||
                    (tag == InTrainingKey::OmitAtDefault && at_default(key, path)) ||
                    (tag == InTrainingKey::NoiseRate && mode != "quant-noise") ||
                    (tag == InTrainingKey::NoiseForm && mode == "none");
    // The quant section is read by training noise only, and only in part.
    if (path.section == "quant") left_out = left_out || mode == "none" || !read_by_noise(tag, int_method, form);
    if (left_out) {
      erase(key, path);
    } else if (tag == InTrainingKey::NoiseQuantizerKind && !int_method) {
      key["quant"]["method"] = "codebooks";  // PQ and iPQ train with the same noise
    }
  }
  if (mode == "none") key.erase("quant");
  key["training_key_version"] = kTrainingKeyVersion;
  return sha256_hex(key.dump());
}

}  // namespace qn
