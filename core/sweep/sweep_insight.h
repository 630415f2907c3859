#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/run_store.h"

namespace qn {

// What a set of finished runs says about the keys that vary among them: the table behind
// the GUI's parallel-coordinates and importance views (docs/analysis.md, "Sweep
// insight"). Plain C++ so that it is tested without a window.

// One axis of the table: a config key that varies among the runs, the runs' size, or their
// metric.
struct InsightAxis {
  std::string key;           // dotted config key ("noise.p"), "size_bytes", or the metric name
  bool categorical = false;  // values are indices into `levels`
  bool log_scale = false;    // numeric, positive and spanning at least kLogScaleSpan
  std::vector<std::string> levels;  // categorical: the distinct values as text, sorted
  std::vector<double> values;       // one per run, in the table's run order
  double low = 0, high = 0;         // the smallest and largest of `values`
};

// A numeric axis is drawn on a log scale when its largest value is at least this many
// times its smallest (learning rates, sizes), linearly otherwise (noise rates, bits).
inline constexpr double kLogScaleSpan = 30;

struct InsightTable {
  std::string metric_name;  // "accuracy" or "perplexity"
  std::vector<int64_t> run_ids;
  // The config keys that vary among the runs, in key order (the first config_axes), then
  // "size_bytes", then the metric. A key some runs lack, or whose values are not all
  // numbers, is categorical ("(unset)" where a run lacks it).
  std::vector<InsightAxis> axes;
  size_t config_axes = 0;
};

// The table of `runs`' finished ones (done, with a result) that report the metric most of
// them report: a set of runs mixing accuracy and perplexity is read as its majority. Empty
// (no runs, no axes) when none is finished.
InsightTable insight_table(const std::vector<const StoredRun*>& runs);

// A brush on one axis: the closed range [low, high] of its values.
struct AxisRange {
  size_t axis = 0;
  double low = 0, high = 0;
};

// The runs whose values lie inside every range (all runs when there is none), in table order.
std::vector<int64_t> runs_within(const InsightTable& table, const std::vector<AxisRange>& ranges);

// How much of the metric's variance a config key's main effect explains.
struct KeyImportance {
  std::string keys;  // one key, or keys that always vary together joined by " = "
  double share = 0;  // the between-group share of the metric's variance, 0..1
  size_t groups = 0;  // the runs split by the key's values (numeric keys with many: quartiles)
};

// The metric's variance split by each config key (the correlation ratio, eta squared): runs
// are grouped by the key's value, and the key's share is the variance of the group means,
// weighted by group size, over the total. On a full grid of keys (what sweep specs and the
// Sweep dialog produce) this is exactly fANOVA's main effect of the key, computed from the
// runs themselves rather than from a surrogate model fitted to them, which a few dozen runs
// would not support; on a partial grid, keys that vary together share what either
// explains. Keys whose values split the runs identically are one entry; a key with a value
// per run (a name) is left out, as its groups would explain all of any metric. Sorted by share,
// largest first; empty when fewer than three runs or the metric does not vary.
std::vector<KeyImportance> metric_importance(const InsightTable& table);

}  // namespace qn
