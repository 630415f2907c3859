#pragma once

#include <QVector>
#include <string>

class QCPAxis;

namespace qn::ui {

// Fits `axis` to a metric's `values` with a margin: accuracy linear within [0, 1];
// perplexity linear, or logarithmic once its values span ten times or more (a diverged run
// at a million beside runs near 100 would otherwise flatten them all to one line).
void fit_metric_axis(QCPAxis& axis, const std::string& metric_name, const QVector<double>& values);

}  // namespace qn::ui
