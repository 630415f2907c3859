#pragma once

#include <QWidget>
#include <vector>

#include "store_worker.h"

class QCustomPlot;
class QTableWidget;

namespace qn::ui {

class CurvePlot;
class RunsTableModel;

// Two or more runs side by side: their curves overlaid, and a table of the config keys on
// which they differ followed by their results. A button asks for "the same config, none
// vs STE vs Quant-Noise" (the window picks those runs).
class CompareView : public QWidget {
  Q_OBJECT

 public:
  explicit CompareView(QWidget* parent = nullptr);

  // Shows `runs` (rows of `model`, whose result columns the table repeats).
  void show_runs(const std::vector<const StoredRun*>& runs, const CurveMap& curves,
                 const RunsTableModel& model);
  QCustomPlot* plot() const;
  QTableWidget* table() const { return table_; }

 Q_SIGNALS:
  void noiseVariantsRequested();

 private:
  CurvePlot* curves_;
  QTableWidget* table_;
};

}  // namespace qn::ui
