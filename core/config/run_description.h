#pragma once

#include <optional>
#include <string>

#include "config/run_config.h"

namespace qn {

// How a run is named wherever runs are listed (the CLI's tables, the GUI's runs table,
// plot legends and tips), in the words of the paper.
struct RunDescription {
  std::string quantizer;  // "fp32", "int4 (channel)", "iPQ+int8 K=256"
  std::string noise;      // "none", "STE", "Quant-Noise p=0.10 (proxy)"
  std::string training;   // "fashion-mnist, convnet width 16 hidden 512, 300 steps, batch 128, lr 0.001, seed 0"
  std::string task_and_seed;  // "fashion-mnist seed 0"

  // "int4 (channel), Quant-Noise p=0.10 (proxy), fashion-mnist seed 0": one table cell.
  std::string one_line() const;
};

RunDescription describe_run(const RunConfig& config);
// A stored run's config (StoredRun::config). One the engine can no longer read is described
// as such rather than refused: a listing shows every run.
RunDescription describe_run(const std::optional<RunConfig>& stored_config);

}  // namespace qn
