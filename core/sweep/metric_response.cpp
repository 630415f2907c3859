#include "sweep/metric_response.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <stdexcept>

namespace qn {
namespace {

bool is_response_axis(const InsightAxis& axis) { return !axis.categorical && axis.key != kSeedKey; }

size_t distinct_values(const InsightAxis& axis) {
  return std::set<double>(axis.values.begin(), axis.values.end()).size();
}

std::string value_text(const InsightAxis& axis, size_t run) {
  if (axis.categorical) return axis.levels.at(static_cast<size_t>(axis.values[run]));
  std::ostringstream text;
  text << axis.values[run];
  return text.str();
}

// The values of the config keys other than the x axis and the seed, as one label per run.
std::string line_label(const InsightTable& table, size_t x_axis, size_t run) {
  std::string label;
  for (size_t axis = 0; axis < table.config_axes; ++axis) {
    const auto& key = table.axes[axis];
    if (axis == x_axis || key.key == kSeedKey) continue;
    label += (label.empty() ? "" : ", ") + key.key + "=" + value_text(key, run);
  }
  return label.empty() ? "all runs" : label;
}

}  // namespace

std::vector<size_t> response_axes(const InsightTable& table) {
  std::vector<size_t> axes;
  for (size_t axis = 0; axis < table.config_axes; ++axis) {
    if (is_response_axis(table.axes[axis])) axes.push_back(axis);
  }
  std::stable_sort(axes.begin(), axes.end(), [&](size_t a, size_t b) {
    return distinct_values(table.axes[a]) > distinct_values(table.axes[b]);
  });
  return axes;
}

MetricResponse metric_response(const InsightTable& table, size_t x_axis) {
  if (x_axis >= table.config_axes || !is_response_axis(table.axes[x_axis])) {
    throw std::invalid_argument("metric_response: axis " + std::to_string(x_axis) +
                                " is not a numeric config key of the table");
  }
  const auto& x = table.axes[x_axis];
  const auto& metric = table.axes.back();
  MetricResponse response{x.key, x.log_scale, {}};
  std::map<std::string, size_t> line_of;
  std::vector<std::map<double, ResponsePoint>> points;  // per line, by x
  for (size_t run = 0; run < table.run_ids.size(); ++run) {
    const auto label = line_label(table, x_axis, run);
    const auto [found, added] = line_of.emplace(label, response.lines.size());
    if (added) {
      response.lines.push_back({label, {}});
      points.emplace_back();
    }
    auto& point = points[found->second][x.values[run]];
    point.x = x.values[run];
    point.values.push_back(metric.values[run]);
  }
  for (size_t line = 0; line < response.lines.size(); ++line) {
    for (auto& [value, point] : points[line]) {
      point.mean = std::accumulate(point.values.begin(), point.values.end(), 0.0) /
                   static_cast<double>(point.values.size());
      response.lines[line].points.push_back(std::move(point));
    }
  }
  return response;
}

}  // namespace qn
