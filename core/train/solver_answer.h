#pragma once
// `qnoise solve`'s answer as one type: what `qnoise solve --json` prints and what the GUI's
// Propose reads back, written and read here so that neither side spells a key the other
// might not (docs/analysis.md, "Layer sensitivity and the size solver").
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "store/sensitivity_store.h"
#include "train/size_solver.h"

namespace qn {

struct SolverAnswer {
  struct Layer {
    std::string layer;
    std::optional<std::string> candidate;  // none: left uncompressed
    std::string storage;                   // how the layer is then stored ("fp32" if none)
    double metric_drop = 0;
  };
  int64_t target_bytes = 0;
  int64_t predicted_bytes = 0;
  double predicted_metric = 0;
  double predicted_drop = 0;
  std::string metric_name;  // the table's: "accuracy" or "perplexity"
  double baseline_metric = 0;
  int64_t smallest_bytes = 0;
  int64_t fp32_size_bytes = 0;
  std::optional<int64_t> sensitivity_table_id;
  std::vector<Layer> layers;
  RunConfig config;  // the mixed config
};

SolverAnswer solver_answer(const MixedPlan& plan, const SensitivityTable& table);

nlohmann::json to_json(const SolverAnswer& answer);
// The answer as to_json wrote it; a missing or mistyped key is an InputError naming it (an
// answer from another version of qnoise, say).
SolverAnswer parse_solver_answer(const nlohmann::json& json);

}  // namespace qn
