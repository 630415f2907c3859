#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace qn {

// Reads one JSON object of a config strictly: each key is taken by a typed getter, a value
// of the wrong type is an InputError naming its full path ("train.lr must be a number"),
// and finish() rejects any key nobody took ("unknown key 'train.lrate'"), so a misspelt
// key can never be silently ignored.
class JsonReader {
 public:
  // `object` must outlive the reader. `path` is the object's own key path ("" at the top).
  JsonReader(const nlohmann::json& object, std::string path);

  bool has(const std::string& key) const;
  // Each sets `value` from the key when present and leaves it unchanged otherwise.
  void read(const std::string& key, std::string& value);
  void read(const std::string& key, double& value);
  void read(const std::string& key, int64_t& value);
  void read(const std::string& key, int& value);
  void read(const std::string& key, uint64_t& value);
  void read(const std::string& key, bool& value);
  void read(const std::string& key, std::vector<int64_t>& value);
  void read(const std::string& key, std::vector<double>& value);
  void read(const std::string& key, std::vector<std::string>& value);
  // The raw value of a key that is present (for values of more than one shape).
  const nlohmann::json& take(const std::string& key);
  // A nested object's reader (the key must hold an object).
  JsonReader object(const std::string& key);

  // The full path of `key` inside this object, for messages.
  std::string path_of(const std::string& key) const;
  // Throws InputError for the first key that was never read.
  void finish() const;

 private:
  // The list at `key`, each item passing `is_item`, or an InputError saying `expected`.
  template <class Item>
  std::vector<Item> list_at(const std::string& key, const char* expected,
                            bool (nlohmann::json::*is_item)() const noexcept);

  const nlohmann::json& json_;
  std::string path_;
  std::set<std::string> taken_;
};

}  // namespace qn
