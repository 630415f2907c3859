#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace qn {

// Values worth keeping for the process's next request of the same key (a config's check,
// a table's encoding), shared by threads. Bounded the simple way: once `capacity` keys are
// kept, the next one clears them all; a session or a sweep asks for a few keys, again and
// again, so nothing finer pays.
template <class Value>
class BoundedMemo {
 public:
  explicit BoundedMemo(size_t capacity) : capacity_(capacity) {}

  std::optional<Value> find(const std::string& key) {
    const std::lock_guard lock(mutex_);
    const auto found = values_.find(key);
    return found == values_.end() ? std::nullopt : std::optional(found->second);
  }

  void keep(const std::string& key, const Value& value) {
    const std::lock_guard lock(mutex_);
    if (values_.size() >= capacity_) values_.clear();
    values_.insert_or_assign(key, value);
  }

 private:
  size_t capacity_;
  std::mutex mutex_;
  std::map<std::string, Value> values_;
};

}  // namespace qn
