#include "config/json_reader.h"

#include <cmath>
#include <limits>

#include "common/error.h"

namespace qn {
namespace {

InputError wrong_type(const std::string& path, const char* expected, const nlohmann::json& value) {
  return InputError("config key '" + path + "' must be " + expected + " (got " + value.dump() +
                    ")");
}

}  // namespace

JsonReader::JsonReader(const nlohmann::json& object, std::string path)
    : json_(object), path_(std::move(path)) {
  if (!json_.is_object()) {
    throw InputError(path_.empty() ? "a config must be a JSON object"
                                   : "config key '" + path_ + "' must be an object");
  }
}

bool JsonReader::has(const std::string& key) const { return json_.contains(key); }

std::string JsonReader::path_of(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

const nlohmann::json& JsonReader::take(const std::string& key) {
  taken_.insert(key);
  return json_.at(key);
}

void JsonReader::read(const std::string& key, std::string& value) {
  if (!has(key)) return;
  const auto& json = take(key);
  if (!json.is_string()) throw wrong_type(path_of(key), "a string", json);
  value = json.get<std::string>();
}

void JsonReader::read(const std::string& key, double& value) {
  if (!has(key)) return;
  const auto& json = take(key);
  if (!json.is_number()) throw wrong_type(path_of(key), "a number", json);
  value = json.get<double>();
}

void JsonReader::read(const std::string& key, int64_t& value) {
  if (!has(key)) return;
  const auto& json = take(key);
  // 3.0 is accepted as 3 (JSON writers differ), 3.5 is not.
  if (!json.is_number() || std::floor(json.get<double>()) != json.get<double>()) {
    throw wrong_type(path_of(key), "an integer", json);
  }
  value = json.is_number_float() ? static_cast<int64_t>(json.get<double>()) : json.get<int64_t>();
}

void JsonReader::read(const std::string& key, int& value) {
  int64_t wide = value;
  read(key, wide);
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    throw InputError("config key '" + path_of(key) + "' is out of range");
  }
  value = static_cast<int>(wide);
}

void JsonReader::read(const std::string& key, uint64_t& value) {
  int64_t wide = static_cast<int64_t>(value);
  read(key, wide);
  if (wide < 0) throw InputError("config key '" + path_of(key) + "' must not be negative");
  value = static_cast<uint64_t>(wide);
}

void JsonReader::read(const std::string& key, bool& value) {
  if (!has(key)) return;
  const auto& json = take(key);
  if (!json.is_boolean()) throw wrong_type(path_of(key), "true or false", json);
  value = json.get<bool>();
}

void JsonReader::read(const std::string& key, std::vector<int64_t>& value) {
  if (has(key)) value = list_at<int64_t>(key, "a list of integers", &nlohmann::json::is_number_integer);
}

void JsonReader::read(const std::string& key, std::vector<double>& value) {
  if (has(key)) value = list_at<double>(key, "a list of numbers", &nlohmann::json::is_number);
}

void JsonReader::read(const std::string& key, std::vector<std::string>& value) {
  if (has(key)) value = list_at<std::string>(key, "a list of strings", &nlohmann::json::is_string);
}

template <class Item>
std::vector<Item> JsonReader::list_at(const std::string& key, const char* expected,
                                      bool (nlohmann::json::*is_item)() const noexcept) {
  const auto& json = take(key);
  if (!json.is_array()) throw wrong_type(path_of(key), expected, json);
  std::vector<Item> items;
  for (const auto& item : json) {
    if (!(item.*is_item)()) throw wrong_type(path_of(key), expected, json);
    items.push_back(item.get<Item>());
  }
  return items;
}

JsonReader JsonReader::object(const std::string& key) {
  return JsonReader(take(key), path_of(key));
}

void JsonReader::finish() const {
  for (const auto& item : json_.items()) {
    if (!taken_.count(item.key())) {
      throw InputError("unknown key '" + path_of(item.key()) + "' in the config");
    }
  }
}

}  // namespace qn
