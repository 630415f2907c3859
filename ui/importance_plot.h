#pragma once

#include <QWidget>
#include <vector>

#include "store/run_store.h"
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

  // Plots the importance of the runs `shown` (read now, not kept).
  void set_runs(const std::vector<const StoredRun*>& shown);
  QCustomPlot* plot() const { return plot_; }
  const std::vector<KeyImportance>& importance() const { return importance_; }

 private:
  QCustomPlot* plot_;
  QLabel* caption_;
  std::vector<KeyImportance> importance_;
};

}  // namespace qn::ui
