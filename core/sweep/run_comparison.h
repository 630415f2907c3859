#pragma once
// Runs compared against a baseline run: every result as the runs' values and each one's
// difference from the baseline (accuracy in points, perplexity and sizes in their units
// and as a ratio), per iPQ stage too, and the config keys on which they differ. The GUI's
// Compare view shows it; it copies as text and exports as CSV and LaTeX for a paper.
// Plain C++, tested without a window.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/run_store.h"

namespace qn {

// What one run brings to a comparison: its stored row and the metrics of its PQ stages
// (MetricPoint names as the engine writes them: "accuracy_after_quantization" at step k is
// stage k's; none for other runs).
struct ComparedRun {
  const StoredRun* run = nullptr;
  std::vector<MetricPoint> stage_metrics;
};

enum class QuantityKind {
  Accuracy,    // a share: shown as %, differences in points
  Perplexity,  // lower is better: differences in its unit and as a ratio
  Bytes,       // differences in bytes and as a ratio
  Compression, // "x26.7": no difference of its own (the size's ratio is it)
  Seconds,
};

struct ComparedQuantity {
  std::string name;  // "accuracy", "size", "stage 2 accuracy after fine-tuning"...
  QuantityKind kind = QuantityKind::Accuracy;
  std::vector<std::optional<double>> values;  // one per run, in the comparison's order
};

struct RunComparison {
  std::vector<int64_t> run_ids;  // the baseline first, then the others in the order given
  std::vector<std::string> differing_keys;         // config keys, dotted
  std::vector<std::vector<std::string>> key_values;  // [key][run]
  std::vector<ComparedQuantity> quantities;
};

// The baseline for `selected` runs: the done fp32 run (quant.method none) among `all` whose
// config equals the first selected run's but for quantization and noise; else the first
// selected. Nothing when nothing is selected.
std::optional<int64_t> default_baseline(const std::vector<const StoredRun*>& selected,
                                        const std::vector<StoredRun>& all);

// `runs` compared against the one whose id is `baseline_id` (put first; if it is not among
// `runs`, the first of them is the baseline).
RunComparison compare_runs(const std::vector<ComparedRun>& runs, int64_t baseline_id);

// A value as the comparison shows it ("86.57%", "153.2 KB", "x26.7", "108.04", "95 s").
std::string format_value(QuantityKind kind, double value);
// `value`'s difference from `baseline` ("+0.42 pts", "-12.0 KB (x0.93)", "-0.21 (x0.998)",
// "+3 s"; none for compression, whose ratio is the size's).
std::string format_difference(QuantityKind kind, double value, double baseline);

// The comparison as a table: a header row (quantity, then a column per run: the baseline's
// value, then each other run's value and its difference), then a row per key and quantity.
// Tab-separated (pastes into a spreadsheet), CSV (RFC 4180 quoting) or a LaTeX tabular.
std::string comparison_tsv(const RunComparison& comparison);
std::string comparison_csv(const RunComparison& comparison);
std::string comparison_latex(const RunComparison& comparison);

}  // namespace qn
