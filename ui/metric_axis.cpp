#include "metric_axis.h"

#include <algorithm>
#include <cmath>

#include "qcustomplot_include.h"

namespace qn::ui {
namespace {

constexpr double kLogScaleSpan = 10;

}  // namespace

void fit_metric_axis(QCPAxis& axis, const std::string& metric_name, const QVector<double>& values) {
  if (values.isEmpty()) return;
  const auto [low_at, high_at] = std::minmax_element(values.begin(), values.end());
  const double low = *low_at, high = *high_at;
  const bool accuracy = metric_name == "accuracy";
  const bool logarithmic = !accuracy && low > 0 && high >= kLogScaleSpan * low;
  axis.setScaleType(logarithmic ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  axis.setTicker(logarithmic ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                             : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  if (logarithmic) {
    axis.setRange(low / 1.3, high * 1.3);
    return;
  }
  const double margin = std::max((high - low) * 0.1, accuracy ? 0.01 : high * 0.05);
  double lower = low - margin, upper = high + margin;
  if (accuracy) {
    lower = std::max(0.0, lower);
    upper = std::min(1.0, upper);
  }
  axis.setRange(lower, upper);
}

}  // namespace qn::ui
