#include "sweep/sweep_insight.h"

#include "config/key_titles.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "config/config_difference.h"
#include "config/key_titles.h"

namespace qn {
namespace {

constexpr const char* kUnset = "(unset)";
// A numeric key with more distinct values than this (a random search over the learning
// rate) is grouped into quartiles for its importance.
constexpr size_t kMostGroupsByValue = 8;
constexpr size_t kQuantileGroups = 4;

// The metric most of `runs`' finished ones report; empty when none is finished.
std::string majority_metric(const std::vector<const StoredRun*>& runs) {
  std::map<std::string, size_t> counts;
  for (const auto* run : runs) {
    if (run->status == RunStatus::Done && run->result) ++counts[run->result->metric_name];
  }
  std::string metric;
  size_t most = 0;
  for (const auto& [name, count] : counts) {
    if (count > most) std::tie(metric, most) = std::tie(name, count);
  }
  return metric;
}

void set_range(InsightAxis& axis) {
  const auto [low, high] = std::minmax_element(axis.values.begin(), axis.values.end());
  axis.low = *low;
  axis.high = *high;
}

// Sizes differ by ratios (x4 for int8, x27 for PQ): their axis is logarithmic from a
// smaller span than the config keys'.
constexpr double kSizeLogScaleSpan = 3;

InsightAxis numeric_axis(std::string key, std::vector<double> values,
                         double log_scale_span = kLogScaleSpan) {
  InsightAxis axis;
  axis.key = std::move(key);
  axis.values = std::move(values);
  set_range(axis);
  axis.log_scale = axis.low > 0 && axis.high >= log_scale_span * axis.low;
  return axis;
}

std::string text_of(const nlohmann::json* value) {
  return value ? value_text(*value) : kUnset;  // a list of layer overrides in brief, not JSON
}

// An axis of one config key; `values` holds each run's value, null where it lacks the key.
InsightAxis key_axis(const std::string& key, const std::vector<const nlohmann::json*>& values) {
  const bool numeric = std::all_of(values.begin(), values.end(),
                                   [](const nlohmann::json* value) { return value && value->is_number(); });
  if (numeric) {
    std::vector<double> numbers;
    for (const auto* value : values) numbers.push_back(value->get<double>());
    return numeric_axis(key, std::move(numbers));
  }
  InsightAxis axis;
  axis.key = key;
  axis.categorical = true;
  std::set<std::string> levels;
  for (const auto* value : values) levels.insert(text_of(value));
  axis.levels.assign(levels.begin(), levels.end());
  for (const auto* value : values) {
    const auto level = std::lower_bound(axis.levels.begin(), axis.levels.end(), text_of(value));
    axis.values.push_back(static_cast<double>(level - axis.levels.begin()));
  }
  set_range(axis);
  return axis;
}

// The runs' groups under an axis, as a label per run numbered in order of first appearance
// (so that two keys splitting the runs alike give equal labels): by value, or by quartile
// for a numeric axis with many values (equal values always in one group).
std::vector<size_t> groups_of(const InsightAxis& axis) {
  const auto& values = axis.values;
  std::vector<double> keys = values;
  const std::set<double> distinct(values.begin(), values.end());
  if (!axis.categorical && distinct.size() > kMostGroupsByValue) {
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    for (auto& key : keys) {
      const auto rank = std::lower_bound(sorted.begin(), sorted.end(), key) - sorted.begin();
      key = static_cast<double>(static_cast<size_t>(rank) * kQuantileGroups / sorted.size());
    }
  }
  std::map<double, size_t> label_of;
  std::vector<size_t> labels;
  for (const double key : keys) labels.push_back(label_of.emplace(key, label_of.size()).first->second);
  return labels;
}

// Sum over groups of size * (group mean - mean)^2.
double between_group_sum(const std::vector<size_t>& labels, const std::vector<double>& metric,
                         double mean) {
  std::map<size_t, std::pair<double, size_t>> sums;  // label -> (sum, count)
  for (size_t i = 0; i < labels.size(); ++i) {
    sums[labels[i]].first += metric[i];
    ++sums[labels[i]].second;
  }
  double between = 0;
  for (const auto& [label, sum_count] : sums) {
    const double group_mean = sum_count.first / static_cast<double>(sum_count.second);
    between += static_cast<double>(sum_count.second) * (group_mean - mean) * (group_mean - mean);
  }
  return between;
}

}  // namespace

InsightTable insight_table(const std::vector<const StoredRun*>& runs) {
  InsightTable table;
  table.metric_name = majority_metric(runs);
  std::vector<const StoredRun*> kept;
  for (const auto* run : runs) {
    if (run->status == RunStatus::Done && run->config && run->result &&
        run->result->metric_name == table.metric_name) {
      kept.push_back(run);
    }
  }
  if (kept.empty()) return table;

  std::vector<std::map<std::string, nlohmann::json>> flat;
  std::vector<const RunConfig*> configs;
  for (const auto* run : kept) {
    table.run_ids.push_back(run->id);
    flat.push_back(flatten_config_values(*run->config));
    configs.push_back(&*run->config);
  }
  for (const auto& key : differing_keys(configs)) {
    std::vector<const nlohmann::json*> values;
    for (const auto& entries : flat) {
      const auto found = entries.find(key);
      values.push_back(found == entries.end() ? nullptr : &found->second);
    }
    table.axes.push_back(key_axis(key, values));
  }
  table.config_axes = table.axes.size();

  std::vector<double> sizes, metrics;
  for (const auto* run : kept) {
    sizes.push_back(static_cast<double>(run->result->size_bytes));
    metrics.push_back(run->result->metric);
  }
  table.axes.push_back(numeric_axis("size_bytes", std::move(sizes), kSizeLogScaleSpan));
  table.axes.push_back(numeric_axis(table.metric_name, std::move(metrics)));
  return table;
}

std::vector<int64_t> runs_within(const InsightTable& table, const std::vector<AxisRange>& ranges) {
  std::vector<int64_t> inside;
  for (size_t run = 0; run < table.run_ids.size(); ++run) {
    const bool within = std::all_of(ranges.begin(), ranges.end(), [&](const AxisRange& range) {
      const double value = table.axes.at(range.axis).values[run];
      return value >= range.low && value <= range.high;
    });
    if (within) inside.push_back(table.run_ids[run]);
  }
  return inside;
}

std::vector<KeyImportance> metric_importance(const InsightTable& table) {
  const size_t runs = table.run_ids.size();
  if (runs < 3) return {};
  const auto& metric = table.axes.back().values;
  const double mean = std::accumulate(metric.begin(), metric.end(), 0.0) / static_cast<double>(runs);
  double total = 0;
  for (const double value : metric) total += (value - mean) * (value - mean);
  if (total <= 0) return {};

  std::map<std::vector<size_t>, KeyImportance> by_partition;  // keys that split runs alike merge
  for (size_t axis = 0; axis < table.config_axes; ++axis) {
    const auto labels = groups_of(table.axes[axis]);
    const size_t groups = 1 + *std::max_element(labels.begin(), labels.end());
    if (groups == runs) continue;  // a value per run "explains" everything: noise
    auto& entry = by_partition[labels];
    entry.keys += (entry.keys.empty() ? "" : " = ") + table.axes[axis].key;
    entry.groups = groups;
    entry.share = between_group_sum(labels, metric, mean) / total;
  }
  std::vector<KeyImportance> importance;
  for (auto& [labels, entry] : by_partition) importance.push_back(std::move(entry));
  std::stable_sort(importance.begin(), importance.end(),
                   [](const KeyImportance& a, const KeyImportance& b) { return a.share > b.share; });
  return importance;
}

}  // namespace qn
