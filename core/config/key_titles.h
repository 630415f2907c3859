#pragma once
// Config keys and values as people read them on a plot: "noise rate p" for `noise.p`,
// "fc1: int8" for a layer override, not the dotted key or the raw JSON.
#include <nlohmann/json.hpp>
#include <string>

namespace qn {

// The title of a dotted config key ("quant.block_size.linear" -> "block: linear"), or of
// the insight table's own axes ("size_bytes" -> "size"); an unknown key as it is.
std::string key_title(const std::string& key);

// A config value in brief: a string bare, a number as JSON writes it, a list of layer
// overrides as "pattern: storage" entries, anything else as compact JSON.
std::string value_text(const nlohmann::json& value);

}  // namespace qn
