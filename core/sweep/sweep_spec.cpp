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

std::string describe_point(const std::vector<std::pair<std::string, nlohmann::json>>& point) {
  std::string text;
  for (const auto& [key, value] : point) text += (text.empty() ? "" : ", ") + key + "=" + value.dump();
  return text.empty() ? "the base config" : text;
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
      throw InputError("unknown key '" + key + "' in the sweep spec (name, base, grid, seeds)");
    }
  }
  return spec;
}

std::vector<nlohmann::json> expand_sweep(const SweepSpec& spec) {
  std::vector<nlohmann::json> configs;
  std::vector<size_t> index(spec.grid.size(), 0);
  while (true) {
    std::vector<std::pair<std::string, nlohmann::json>> point;
    auto config = spec.base;
    for (size_t axis = 0; axis < spec.grid.size(); ++axis) {
      point.emplace_back(spec.grid[axis].first, spec.grid[axis].second[index[axis]]);
      set_key(config, point.back().first, point.back().second);
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
        throw InputError("sweep point " + describe_point(point) + ": " + error.what());
      }
    }
    // The next grid point: the last axis fastest.
    size_t axis = spec.grid.size();
    while (axis > 0 && ++index[axis - 1] == spec.grid[axis - 1].second.size()) {
      index[--axis] = 0;
    }
    if (axis == 0) break;
  }
  return configs;
}

}  // namespace qn
