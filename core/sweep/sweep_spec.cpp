#include "sweep/sweep_spec.h"

#include <optional>

#include "common/error.h"
#include "config/config_difference.h"
#include "config/run_config.h"

namespace qn {

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

std::string describe_sweep_point(const SweepSpec& spec, const RunConfig& config) {
  const auto values = flatten_config_values(config);
  std::string text;
  const auto describe = [&](const std::string& key) {
    const auto found = values.find(key);
    text += (text.empty() ? "" : ", ") + key + "=" + (found == values.end() ? "null" : found->second.dump());
  };
  for (const auto& axis : spec.grid) describe(axis.first);
  if (!spec.seeds.empty()) describe("train.seed");
  return text.empty() ? "the base config" : text;
}

namespace {

// "quant.block_size.linear=7, train.seed=1": the grid point `index` with `seed`.
std::string describe_grid_point(const SweepSpec& spec, const std::vector<size_t>& index,
                                std::optional<int64_t> seed) {
  std::string text;
  for (size_t axis = 0; axis < spec.grid.size(); ++axis) {
    text += (text.empty() ? "" : ", ") + spec.grid[axis].first + "=" +
            spec.grid[axis].second[index[axis]].dump();
  }
  if (seed) text += (text.empty() ? "" : ", ") + std::string("train.seed=") + std::to_string(*seed);
  return text.empty() ? "the base config" : text;
}

// Appends the configs of the grid and the seeds over `base` (parsed, not yet validated: a
// base may be completed only by the grid); `where` prefixes the sweep point in an error
// ("variant 2, ").
void expand_grid(const SweepSpec& spec, const RunConfig& base, const std::string& where,
                 std::vector<RunConfig>& configs) {
  std::vector<size_t> index(spec.grid.size(), 0);
  const auto seeds = spec.seeds.empty() ? std::vector<std::optional<int64_t>>{std::nullopt}
                                        : std::vector<std::optional<int64_t>>(
                                              spec.seeds.begin(), spec.seeds.end());
  while (true) {
    for (const auto& seed : seeds) {
      try {
        auto config = base;
        for (size_t axis = 0; axis < spec.grid.size(); ++axis) {
          set_config_value(config, spec.grid[axis].first, spec.grid[axis].second[index[axis]]);
        }
        if (seed) config.train.seed = static_cast<uint64_t>(*seed);
        validate(config);
        configs.push_back(std::move(config));
      } catch (const InputError& error) {
        throw InputError("sweep point " + where + describe_grid_point(spec, index, seed) + ": " +
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

std::vector<RunConfig> expand_sweep(const SweepSpec& spec) {
  std::vector<RunConfig> configs;
  const auto variants =
      spec.variants.empty() ? std::vector<nlohmann::json>{nlohmann::json::object()} : spec.variants;
  for (size_t variant = 0; variant < variants.size(); ++variant) {
    auto base = spec.base;
    base.merge_patch(variants[variant]);
    const auto name = spec.variants.empty() ? "base" : "variant " + std::to_string(variant + 1);
    RunConfig parsed;
    try {
      parsed = read_config_fields(base);
    } catch (const InputError& error) {
      throw InputError("sweep " + name + ": " + error.what());
    }
    expand_grid(spec, parsed, spec.variants.empty() ? "" : name + ", ", configs);
  }
  return configs;
}

}  // namespace qn
