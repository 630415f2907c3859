#pragma once

#include <QWidget>
#include <vector>

#include "sweep/sweep_insight.h"

class QCustomPlot;
class QLabel;

namespace qn::ui {

// Which config keys matter for the metric, over the finished runs shown (as the runs table
// filters them): one horizontal bar per key (or keys that vary together), its share of the
// metric's variance (metric_importance: eta squared, fANOVA's main effect on a grid),
// largest on top, with the share as a percentage at the bar's end.
class ImportancePlot : public QWidget {
  Q_OBJECT

 public:
  explicit ImportancePlot(QWidget* parent = nullptr);

  // Plots the importance of `table`'s runs (insight_table of the runs shown).
  void set_table(const InsightTable& table);
  QCustomPlot* plot() const { return plot_; }
  const std::vector<KeyImportance>& importance() const { return importance_; }

 private:
  QCustomPlot* plot_;
  QLabel* caption_;
  std::vector<KeyImportance> importance_;
};

}  // namespace qn::ui
