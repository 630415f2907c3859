#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace qn {

// One measurement of a per-layer sensitivity table: the trained model with layer `layer`
// alone quantized by `candidate` (every other layer uncompressed), BatchNorm re-estimated,
// evaluated (docs/analysis.md, "Layer sensitivity and the size solver").
struct SensitivityRow {
  std::string layer;
  std::string candidate;  // as asked: "int8", "int4", "pq256"...
  std::string storage;    // how the weight is then stored: "int4 (minmax)", "pq K=64 b=9"
  int64_t weight_bytes = 0;  // the layer's weight so stored, exactly
  int64_t bytes_saved = 0;   // the weight uncompressed (quant.plain_bits) minus weight_bytes
  double metric = 0;
  double metric_drop = 0;  // how much worse than baseline_metric (negative: better)
};

// A whole table, as `qnoise sensitivity` measures, prints and stores it.
struct SensitivityTable {
  std::optional<int64_t> id;  // once stored
  nlohmann::json config;      // the complete config the model was trained with
  std::string config_hash;    // config_hash(config): how a later solve finds the table
  std::string training_key;
  std::vector<std::string> candidates;  // as asked, in order
  std::string device;
  std::string metric_name;  // "accuracy" or "perplexity"
  std::string evaluation_split;
  // The trained model with no layer quantized, BatchNorm re-estimated as a quantized run's
  // is, evaluated from its stored tensors: what every drop is measured against.
  double baseline_metric = 0;
  double float_metric = 0;  // the trained model as it left training
  double seconds = 0;       // the measurements' wall time, training excluded
  std::vector<SensitivityRow> rows;  // layer by layer, bottom to top; candidates in order
};

// The store's sensitivities and sensitivity_rows tables (schema 8; docs/store.md).
class SensitivityStore {
 public:
  explicit SensitivityStore(Database& db) : db_(db) {}

  // Stores a table and its rows in one transaction; returns its id.
  int64_t add(const SensitivityTable& table);
  std::optional<SensitivityTable> get(int64_t id);
  // Every stored table's id, newest first.
  std::vector<int64_t> ids();
  // The newest table of this config hash, candidates and device, if any.
  std::optional<SensitivityTable> find(const std::string& config_hash,
                                       const std::vector<std::string>& candidates,
                                       const std::string& device);

 private:
  Database& db_;
};

}  // namespace qn
