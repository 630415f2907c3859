#include "sweep/run_comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "common/byte_text.h"
#include "config/config_difference.h"
#include "config/run_config.h"
#include "train/stage_result.h"

namespace qn {
namespace {

std::string printed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string signed_text(double value, const char* format) {
  return (value >= 0 ? "+" : "") + printed(format, value);
}

std::string ratio_text(double value, double baseline) {
  if (baseline == 0) return "";
  const double ratio = value / baseline;
  return printed(std::abs(ratio - 1) < 0.01 ? "x%.3f" : "x%.2f", ratio);
}

bool is_fp32(const StoredRun& run) {
  return run.config && run.config->quant.method == QuantMethod::None;
}

// Equal for runs whose configs differ only in how they quantize; none for an unreadable one.
std::optional<std::string> unquantized_key(const StoredRun& run) {
  static const std::vector<std::string> kQuantizationKeys = {"quant", "noise"};
  if (!run.config) return std::nullopt;
  return key_ignoring(*run.config, kQuantizationKeys);
}

QuantityKind metric_kind(const std::string& metric_name) {
  return metric_name == "perplexity" ? QuantityKind::Perplexity : QuantityKind::Accuracy;
}

ComparedQuantity quantity(std::string name, QuantityKind kind, size_t runs) {
  return {std::move(name), kind, std::vector<std::optional<double>>(runs)};
}

// The result rows, then a row per stage metric any run has, by stage then kind.
std::vector<ComparedQuantity> quantities_of(const std::vector<const ComparedRun*>& runs) {
  const size_t count = runs.size();
  std::string metric_name = "accuracy";
  for (const auto* run : runs) {
    if (run->run->result) metric_name = run->run->result->metric_name;
  }
  const auto kind = metric_kind(metric_name);
  auto metric = quantity(metric_name, kind, count);
  auto float_metric = quantity(metric_name + " before quantization", kind, count);
  auto size = quantity("size", QuantityKind::Bytes, count);
  auto compression = quantity("compression", QuantityKind::Compression, count);
  auto seconds = quantity("seconds", QuantityKind::Seconds, count);
  std::map<std::pair<int64_t, int>, ComparedQuantity> stages;  // (stage, after fine-tuning)
  for (size_t i = 0; i < count; ++i) {
    if (const auto& result = runs[i]->run->result) {
      metric.values[i] = result->metric;
      float_metric.values[i] = result->float_metric;
      size.values[i] = static_cast<double>(result->size_bytes);
      compression.values[i] = result->compression;
      seconds.values[i] = result->seconds;
    }
    for (const auto& point : runs[i]->stage_metrics) {
      const bool quantized = point.name == after_quantization_name(metric_name);
      const bool finetuned = point.name == after_finetune_name(metric_name);
      if (!quantized && !finetuned) continue;
      const auto key = std::make_pair(point.step, finetuned ? 1 : 0);
      auto found = stages.find(key);
      if (found == stages.end()) {
        const auto name = "stage " + std::to_string(point.step) + " " + metric_name +
                          (finetuned ? " after fine-tuning" : " after quantization");
        found = stages.emplace(key, quantity(name, kind, count)).first;
      }
      found->second.values[i] = point.value;
    }
  }
  std::vector<ComparedQuantity> all = {metric, float_metric, size, compression};
  for (auto& [key, stage] : stages) all.push_back(std::move(stage));
  all.push_back(seconds);
  // A quantity no run has says nothing.
  all.erase(std::remove_if(all.begin(), all.end(),
                           [](const ComparedQuantity& q) {
                             return std::none_of(q.values.begin(), q.values.end(),
                                                 [](const auto& v) { return v.has_value(); });
                           }),
            all.end());
  return all;
}

// The comparison as cells: a header, then a row per key and per quantity; the baseline has
// a value column, every other run a value and a difference column.
std::vector<std::vector<std::string>> grid_of(const RunComparison& comparison) {
  std::vector<std::vector<std::string>> grid;
  std::vector<std::string> header = {"quantity"};
  for (size_t i = 0; i < comparison.run_ids.size(); ++i) {
    const auto run = "run " + std::to_string(comparison.run_ids[i]);
    if (i == 0) {
      header.push_back(run + " (baseline)");
    } else {
      header.push_back(run);
      header.push_back(run + " difference");
    }
  }
  grid.push_back(header);
  for (size_t k = 0; k < comparison.differing_keys.size(); ++k) {
    std::vector<std::string> row = {comparison.differing_keys[k]};
    for (size_t i = 0; i < comparison.run_ids.size(); ++i) {
      row.push_back(comparison.key_values[k][i]);
      if (i > 0) row.push_back("");
    }
    grid.push_back(row);
  }
  for (const auto& q : comparison.quantities) {
    std::vector<std::string> row = {q.name};
    const auto& baseline = q.values.front();
    for (size_t i = 0; i < q.values.size(); ++i) {
      row.push_back(q.values[i] ? format_value(q.kind, *q.values[i]) : "-");
      if (i == 0) continue;
      row.push_back(q.values[i] && baseline ? format_difference(q.kind, *q.values[i], *baseline) : "");
    }
    grid.push_back(row);
  }
  return grid;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string latex_field(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '%': case '&': case '_': case '#': case '$': case '{': case '}':
        escaped += '\\';
        escaped += c;
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string joined(const std::vector<std::string>& cells, const std::string& separator,
                   std::string (*field)(const std::string&)) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) line += (i ? separator : "") + field(cells[i]);
  return line;
}

std::string as_is(const std::string& text) { return text; }

}  // namespace

std::optional<int64_t> default_baseline(const std::vector<const StoredRun*>& selected,
                                        const std::vector<StoredRun>& all) {
  if (selected.empty()) return std::nullopt;
  const auto key = unquantized_key(*selected.front());
  if (!key) return selected.front()->id;
  for (const auto* run : selected) {  // a selected fp32 run of that config first
    if (is_fp32(*run) && unquantized_key(*run) == key) return run->id;
  }
  for (const auto& run : all) {  // the store's runs, on every redraw: the cheap tests first
    if (run.status == RunStatus::Done && is_fp32(run) && unquantized_key(run) == key) {
      return run.id;
    }
  }
  return selected.front()->id;
}

RunComparison compare_runs(const std::vector<ComparedRun>& runs, int64_t baseline_id) {
  RunComparison comparison;
  if (runs.empty()) return comparison;
  std::vector<const ComparedRun*> ordered;
  for (const auto& run : runs) {
    if (run.run->id == baseline_id) ordered.push_back(&run);
  }
  if (ordered.empty()) ordered.push_back(&runs.front());
  for (const auto& run : runs) {
    if (&run != ordered.front()) ordered.push_back(&run);
  }
  std::vector<const RunConfig*> configs;
  std::vector<std::map<std::string, std::string>> flat;  // empty for an unreadable config
  for (const auto* run : ordered) {
    comparison.run_ids.push_back(run->run->id);
    const auto& config = run->run->config;
    if (config) configs.push_back(&*config);
    flat.push_back(config ? flatten_config(*config) : std::map<std::string, std::string>{});
  }
  comparison.differing_keys = differing_keys(configs);
  for (const auto& key : comparison.differing_keys) {
    std::vector<std::string> values;
    for (const auto& config : flat) {
      // STE quantizes every weight (p = 1 in effect) and post-training none: the stored rate
      // is not theirs, and a 0 beside "STE" would mislead.
      const auto mode = config.find("noise.mode");
      const bool rate_unused = key == "noise.p" && mode != config.end() && mode->second != "quant-noise";
      const auto found = config.find(key);
      values.push_back(rate_unused                ? "(not used)"
                       : found == config.end()    ? "(unreadable)"
                       : found->second.empty()    ? "(none)"
                                                  : found->second);
    }
    comparison.key_values.push_back(std::move(values));
  }
  comparison.quantities = quantities_of(ordered);
  return comparison;
}

std::string format_value(QuantityKind kind, double value) {
  switch (kind) {
    case QuantityKind::Accuracy: return printed("%.2f%%", value * 100);
    case QuantityKind::Perplexity: return printed("%.2f", value);
    case QuantityKind::Bytes: return byte_text(value);
    case QuantityKind::Compression: return printed("x%.1f", value);
    case QuantityKind::Seconds: return printed("%.0f s", value);
  }
  return printed("%g", value);
}

std::string format_difference(QuantityKind kind, double value, double baseline) {
  const double difference = value - baseline;
  switch (kind) {
    case QuantityKind::Accuracy: return signed_text(difference * 100, "%.2f") + " pts";
    case QuantityKind::Perplexity:
      return signed_text(difference, "%.2f") + " (" + ratio_text(value, baseline) + ")";
    case QuantityKind::Bytes:
      return (difference >= 0 ? "+" : "") + byte_text(difference) + " (" +
             ratio_text(value, baseline) + ")";
    case QuantityKind::Compression: return "";  // the size's ratio says it already
    case QuantityKind::Seconds: return signed_text(difference, "%.0f") + " s";
  }
  return signed_text(difference, "%g");
}

std::string comparison_tsv(const RunComparison& comparison) {
  std::string text;
  for (const auto& row : grid_of(comparison)) text += joined(row, "\t", as_is) + "\n";
  return text;
}

std::string comparison_csv(const RunComparison& comparison) {
  std::string text;
  for (const auto& row : grid_of(comparison)) text += joined(row, ",", csv_field) + "\r\n";
  return text;
}

std::string comparison_latex(const RunComparison& comparison) {
  const auto grid = grid_of(comparison);
  std::string text = "\\begin{tabular}{l" + std::string(grid.front().size() - 1, 'r') + "}\n\\hline\n";
  for (size_t i = 0; i < grid.size(); ++i) {
    text += joined(grid[i], " & ", latex_field) + " \\\\\n";
    if (i == 0) text += "\\hline\n";
  }
  return text + "\\hline\n\\end{tabular}\n";
}

}  // namespace qn
