#pragma once

#include <QWidget>
#include <vector>

#include "store/run_store.h"

class QCustomPlot;

namespace qn::ui {

// Training curves of one or more runs against step, from the store: the loss (left axis)
// and, once evaluated, the final metric in the legend. Used for the live view (the
// running run and the selected ones, reloaded while they train) and the compare view.
class CurvePlot : public QWidget {
  Q_OBJECT

 public:
  explicit CurvePlot(QWidget* parent = nullptr);

  // Draws the loss curve of each run (at most 12; colours cycle), from `store`.
  void show_runs(RunStore& store, const std::vector<StoredRun>& runs);
  QCustomPlot* plot() const { return plot_; }
  int curve_count() const;

 private:
  QCustomPlot* plot_;
};

}  // namespace qn::ui
