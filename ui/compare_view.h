#pragma once

#include <QWidget>
#include <optional>
#include <vector>

#include "store_worker.h"
#include "sweep/run_comparison.h"

class QComboBox;
class QCustomPlot;
class QTableWidget;

namespace qn::ui {

class CurvePlot;

// Two or more runs side by side: their curves overlaid, and a table of differences against
// a baseline run (default_baseline: the fp32 run of the same config, else the first
// selected; the user may pick another): the config keys on which they differ, then every
// result and iPQ stage as each run's value and its difference from the baseline. The table
// copies as text and exports as CSV and LaTeX. A button asks for "the same config, none vs
// STE vs Quant-Noise" (the window picks those runs).
class CompareView : public QWidget {
  Q_OBJECT

 public:
  explicit CompareView(QWidget* parent = nullptr);

  // Shows `runs` (the selection) against the baseline; `all` is the store's run list, where
  // the default baseline may be found when it is not selected.
  void show_runs(const std::vector<const StoredRun*>& runs, const CurveMap& curves,
                 const std::vector<StoredRun>& all);
  QCustomPlot* plot() const;
  QTableWidget* table() const { return table_; }
  QComboBox* baseline_box() const { return baseline_; }
  const RunComparison& comparison() const { return comparison_; }

 Q_SIGNALS:
  void noiseVariantsRequested();

 private:
  void show_table();
  void copy_table();
  void export_table(const QString& title, const QString& filter, std::string (*format)(const RunComparison&));

  CurvePlot* curves_;
  QComboBox* baseline_;
  QTableWidget* table_;
  std::vector<ComparedRun> compared_;  // the runs shown, with their stage metrics
  std::vector<const StoredRun*> baseline_runs_;  // the baseline box's runs, in its order
  std::optional<int64_t> chosen_baseline_;  // picked by the user; else the default
  RunComparison comparison_;
};

}  // namespace qn::ui
