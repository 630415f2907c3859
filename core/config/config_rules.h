#pragma once
// The checks a config's rules are written with: each failure an InputError naming the key.
// Internal to config/.
#include <string>
#include <vector>

#include "config/run_config.h"

namespace qn::config_rules {

// `value` must be one of `allowed`: "config key 'train.optimizer' is 'adamw'; expected one
// of: adam, sgd".
void require_one_of(const std::string& key, const std::string& value,
                    const std::vector<std::string>& allowed);

// "config key 'data.cache_mb' must be at least 1" unless `condition`.
void require(bool condition, const std::string& key, const std::string& rule);

// The data section's rules for `task`: the image-folder task's transform, normalisation and
// loader settings, and text classification's tables, columns and tokenizer (which other
// tasks must leave at their defaults).
void validate_data_section(const std::string& task, const DataConfig& data);

}  // namespace qn::config_rules
