#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/run_config.h"

namespace qn {

// A sweep (docs/config.md, The config contract): {"name": ..., "base": RunConfig,
// "variants": [config fragments], "grid": {KEY: [values]}, "seeds": [..]}. KEY is a dotted
// config key, as for --set. Each variant is merged onto the base (JSON merge patch: objects
// key by key, other values replaced) and crossed with the grid and the seeds: one spec can
// hold runs that differ in several keys at once ("int8 without noise", "iPQ with
// Quant-Noise at p = 0.1 in the proxy form").
struct SweepSpec {
  std::string name;
  nlohmann::json base = nlohmann::json::object();
  std::vector<nlohmann::json> variants;  // empty: the base alone
  std::vector<std::pair<std::string, std::vector<nlohmann::json>>> grid;  // in key order
  std::vector<int64_t> seeds;  // empty: the base config's seed only
};

// Reads a spec object strictly (unknown keys, empty axes, wrong types are InputErrors
// naming them).
SweepSpec parse_sweep_spec(const nlohmann::json& spec);

// The grid values and seed of one config of the sweep, to name it in messages:
// "quant.block_size.linear=7, train.seed=1"; "the base config" for a sweep without axes.
std::string describe_sweep_point(const SweepSpec& spec, const RunConfig& config);

// The complete configs of the cross product, in a stable order: variants outermost, then
// the axes sorted by key, the last axis fastest, seeds innermost. Each variant is parsed
// once, its grid's keys set field by field (set_config_value) and each point validated (an
// invalid combination is an InputError naming the grid point). Cheap: nothing is built or
// read (enqueue_sweep adds check_before_training).
std::vector<RunConfig> expand_sweep(const SweepSpec& spec);

}  // namespace qn
