#include "sweep/sweep_spec.h"

#include <optional>

#include "common/error.h"
#include "config/run_config.h"

namespace qn {
namespace {

// Sets a dotted key inside a config object, as --set does.
void set_key(nlohmann::json& config, const std::string& key, const nlohmann::json& value) {
  apply_override(config, key + "=" + value.dump());
}

// The value at a dotted key of a config object, as --set writes it; null if absent.
nlohmann::json value_at(const nlohmann::json& config, const std::string& key) {
  const nlohmann::json* node = &config;
  size_t start = 0;
  while (node->is_object()) {
    const auto dot = key.find('.', start);
    const auto part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const auto found = node->find(part);
    if (found == node->end()) break;
    if (dot == std::string::npos) return *found;
    node = &*found;
    start = dot + 1;
  }
  return nullptr;
}

}  // namespace

SweepSpec parse_sweep_spec(const nlohmann::json& json) {
  if (!json.is_object()) throw InputError("a sweep spec must be a JSON object");
  SweepSpec spec;
  for (const auto& [key, value] : json.items()) {
    if (key == "name") {
      if (!value.is_string()) throw InputError("sweep spec key 'name' must be a string");
      spec.name = value.get<std::string>();
    } else if (key == "base") {
      if (!value.is_object()) throw InputError("sweep spec key 'base' must be a config object");
      spec.base = value;
    } else if (key == "variants") {
      if (!value.is_array() || value.empty()) {
        throw InputError("sweep spec key 'variants' must be a non-empty list of config objects");
      }
      for (const auto& variant : value) {
        if (!variant.is_object()) {
          throw InputError("sweep spec key 'variants' must be a list of config objects");
        }
        spec.variants.push_back(variant);
      }
    } else if (key == "grid") {
      if (!value.is_object()) throw InputError("sweep spec key 'grid' must be an object");
      for (const auto& [axis, values] : value.items()) {
        if (!values.is_array() || values.empty()) {
          throw InputError("sweep grid axis '" + axis + "' must be a non-empty list of values");
        }
        spec.grid.emplace_back(axis, std::vector<nlohmann::json>(values.begin(), values.end()));
      }
    } else if (key == "seeds") {
      if (!value.is_array()) throw InputError("sweep spec key 'seeds' must be a list of integers");
      for (const auto& seed : value) {
        if (!seed.is_number_integer() || seed.get<int64_t>() < 0) {
          throw InputError("sweep spec key 'seeds' must be a list of integers >= 0");
        }
        spec.seeds.push_back(seed.get<int64_t>());
      }
    } else {
      throw InputError("unknown key '" + key + "' in the sweep spec (name, base, variants, grid, seeds)");
    }
  }
  return spec;
}

std::string describe_sweep_point(const SweepSpec& spec, const nlohmann::json& config) {
  std::string text;
  const auto describe = [&](const std::string& key) {
    text += (text.empty() ? "" : ", ") + key + "=" + value_at(config, key).dump();
  };
  for (const auto& axis : spec.grid) describe(axis.first);
  if (!spec.seeds.empty()) describe("train.seed");
  return text.empty() ? "the base config" : text;
}

namespace {

// Appends the configs of the grid and the seeds over `base`; `where` prefixes the sweep
// point in an error ("variant 2, ").
void expand_grid(const SweepSpec& spec, const nlohmann::json& base, const std::string& where,
                 std::vector<nlohmann::json>& configs) {
  std::vector<size_t> index(spec.grid.size(), 0);
  while (true) {
    auto config = base;
    for (size_t axis = 0; axis < spec.grid.size(); ++axis) {
      set_key(config, spec.grid[axis].first, spec.grid[axis].second[index[axis]]);
    }
    const auto seeds = spec.seeds.empty() ? std::vector<std::optional<int64_t>>{std::nullopt}
                                          : std::vector<std::optional<int64_t>>(
                                                spec.seeds.begin(), spec.seeds.end());
    for (const auto& seed : seeds) {
      auto seeded = config;
      if (seed) set_key(seeded, "train.seed", *seed);
      try {
        configs.push_back(to_json(parse_run_config(seeded)));
      } catch (const InputError& error) {
        throw InputError("sweep point " + where + describe_sweep_point(spec, seeded) + ": " +
                         error.what());
      }
    }
    // The next grid point: the last axis fastest.
    size_t axis = spec.grid.size();
    while (axis > 0 && ++index[axis - 1] == spec.grid[axis - 1].second.size()) {
      index[--axis] = 0;
    }
    if (axis == 0) break;
  }
}

}  // namespace

std::vector<nlohmann::json> expand_sweep(const SweepSpec& spec) {
  std::vector<nlohmann::json> configs;
  const auto variants =
      spec.variants.empty() ? std::vector<nlohmann::json>{nlohmann::json::object()} : spec.variants;
  for (size_t variant = 0; variant < variants.size(); ++variant) {
    auto base = spec.base;
    base.merge_patch(variants[variant]);
    const auto where = spec.variants.empty() ? "" : "variant " + std::to_string(variant + 1) + ", ";
    expand_grid(spec, base, where, configs);
  }
  return configs;
}

}  // namespace qn
