#pragma once
// What `qnoise sensitivity` and `qnoise solve` share: where the config comes from, the
// sensitivity table measured (or found in the store), and how it prints.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "store/run_store.h"
#include "store/sensitivity_store.h"
#include "train/layer_sensitivity.h"

namespace qn::cli {

struct SensitivityArgs {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string db;
  int64_t run_id = 0;  // > 0: the config of this stored run (qnoise sensitivity --run ID)
  std::vector<std::string> candidates = default_candidate_names();
  int64_t eval_limit = -1;  // >= 0: sets data.eval_limit
  std::string device;
  bool json = false;
};

// Adds the options both commands take (--config, --set, --db, --candidates, --eval-limit,
// --device, --json).
void add_sensitivity_options(CLI::App& command, SensitivityArgs& args);

// The config to measure: --config with --set, or the stored run --run names (its config,
// with --set), then --eval-limit and --device. Opens the store when --db is given (or a
// run is named: then the default store). A run not in the store is an InputError naming it.
RunConfig sensitivity_config(const SensitivityArgs& args, std::optional<RunStore>& store);

// The table: with `reuse` and a store, the newest one stored for this config, candidates and
// device; else measured (the model trained, or found in the store's trained models,
// and remembered in `trained`), then stored when there is a store. Sets `reused`.
SensitivityTable sensitivity_table(const RunConfig& config, const SensitivityArgs& args,
                                   RunStore* store, RememberedTrainedModels& trained, bool reuse,
                                   bool& reused);

// `sensitivity --json`'s object (docs/cli.md, The command line).
nlohmann::json sensitivity_json(const SensitivityTable& table);
// The table as text, one row a layer and candidate, on stdout.
void print_sensitivity(const SensitivityTable& table);

}  // namespace qn::cli
