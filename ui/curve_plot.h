#pragma once

#include <QWidget>
#include <vector>

#include "store/run_store.h"
#include "store_worker.h"

class QCustomPlot;

namespace qn::ui {

// Curves of one or more runs against step: the training loss as a line (left axis); on the
// right axis, in the same colour, the metric of the model in training as a dashed line
// (where evaluated) and the compressed model's as a diamond at the end, the final one
// also in the legend. Used for the live view (the running run and the selected ones, redrawn as
// they train) and the compare view. Under it, for runs with PQ stages, their staircase
// (StagePlot), in the same colours.
class StagePlot;

class CurvePlot : public QWidget {
  Q_OBJECT

 public:
  explicit CurvePlot(QWidget* parent = nullptr);

  // Draws each run's curves from `curves` (at most 12 runs; colours cycle); a run with no
  // curves yet gets an empty line and its legend entry.
  void show_runs(const std::vector<const StoredRun*>& runs, const CurveMap& curves);
  QCustomPlot* plot() const { return plot_; }

 private:
  StagePlot* stages_;
  void add_metric_legend();
  void fit_metric_axis(const std::string& metric_name, const QVector<double>& values);

  QCustomPlot* plot_;
};

}  // namespace qn::ui
