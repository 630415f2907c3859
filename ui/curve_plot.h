#pragma once

#include <QString>
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
  // What the plot says when it is given no run (a hint of what to do).
  void set_empty_text(const QString& text) { empty_text_ = text; }

 private:
  StagePlot* stages_;
  void add_metric_legend();

  // What the plot says instead of empty axes: empty_text_, or that the runs have no curve yet.
  QString hint_for(const std::vector<const StoredRun*>& runs, const CurveMap& curves) const;

  QCustomPlot* plot_;
  QString empty_text_ = "No run yet. Choose a preset on the left and press Run (Ctrl+R):\n"
                        "the running run's loss and metric appear here as it trains.";
};

}  // namespace qn::ui
