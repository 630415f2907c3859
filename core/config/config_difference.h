#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/run_config.h"

namespace qn {

// Comparing runs by their configs: which keys differ, and which runs differ only in a
// given set of keys ("same config but the noise": none against STE against Quant-Noise;
// "same config but the seed": one point with an error bar). Keys are dotted paths as in
// `--set` ("quant.block_size.linear"); a set names whole sections too ("noise").

// Every leaf of a config (its defaults included), by dotted key: its JSON value, or its
// value as text (a string bare, anything else as JSON).
std::map<std::string, nlohmann::json> flatten_config_values(const RunConfig& config);
std::map<std::string, std::string> flatten_config(const RunConfig& config);

// The dotted keys whose values are not the same in all of `configs` (a key some lack
// counts as differing), in key order.
std::vector<std::string> differing_keys(const std::vector<const RunConfig*>& configs);

// A text equal for two configs exactly when they differ only in `ignored` keys.
std::string key_ignoring(const RunConfig& config, const std::vector<std::string>& ignored);

// The key sets the views group by.
const std::vector<std::string>& noise_keys();  // noise.*
const std::vector<std::string>& seed_keys();   // train.seed

}  // namespace qn
