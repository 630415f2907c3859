#pragma once

#include <QWidget>
#include <functional>
#include <vector>

#include "store/run_store.h"
#include "store_worker.h"

class QCustomPlot;

namespace qn::ui {

// The staircase of product quantization: for each run with stage metrics (iPQ's stages, or
// one-shot PQ's single one), the metric right after each stage was quantized (solid steps,
// filled markers) and after its fine-tuning (dashed steps, open markers), against the
// stage. Runs trained with and without Quant-Noise side by side show at a glance how much
// accuracy the noise keeps before fine-tuning repairs it. No legend of its own: the runs
// have the colours of the curve plot above it. Hidden while no run has stages.
class StagePlot : public QWidget {
  Q_OBJECT

 public:
  explicit StagePlot(QWidget* parent = nullptr);

  // Runs in the order and colours of the curve plot (`colour_of(i)` for the i-th run).
  void show_runs(const std::vector<const StoredRun*>& runs, const CurveMap& curves,
                 const std::function<QColor(size_t)>& colour_of);
  QCustomPlot* plot() const { return plot_; }

 private:
  QCustomPlot* plot_;
};

}  // namespace qn::ui
