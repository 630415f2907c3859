#pragma once

#include <string>
#include <vector>

#include "sweep/sweep_insight.h"

namespace qn {

// The metric against one numeric config key (the paper's accuracy against the noise rate):
// the table behind the GUI's Response view. Runs that differ in nothing but the key fall
// on one line; runs that differ only by seed are one point, the mean of their metrics.

// The config key runs that differ only by it are repeats of each other.
inline constexpr const char* kSeedKey = "train.seed";

struct ResponsePoint {
  double x = 0;
  double mean = 0;              // of `values`
  std::vector<double> values;   // each seed's metric, in table order
};

struct ResponseLine {
  std::string label;  // the other varying keys' values ("quant.method=ipq"); "all runs" if none
  std::vector<ResponsePoint> points;  // by x, ascending
};

struct MetricResponse {
  std::string key;     // the x axis's config key
  bool log_scale = false;
  std::vector<ResponseLine> lines;  // in order of their first run in the table
};

// The numeric config axes of `table` a response can be drawn against (indices into
// table.axes; the seed is not one), the one with most distinct values first: the key a
// sweep swept.
std::vector<size_t> response_axes(const InsightTable& table);

// The metric against table.axes[x_axis], which must be one of response_axes(table).
MetricResponse metric_response(const InsightTable& table, size_t x_axis);

}  // namespace qn
