#pragma once

#include <QWidget>

#include "sweep/metric_response.h"

class QComboBox;
class QCustomPlot;
class QLabel;

namespace qn::ui {

// The metric against one numeric config key over the finished runs shown (as the runs table
// filters them): the paper's figure of accuracy against the noise rate, for any swept key.
// One line per combination of the other varied keys; runs that differ only by seed are one
// point, their mean, with each seed's metric a small dot. The key is picked in a list of the
// numeric keys that vary (the one with most values first).
class ResponsePlot : public QWidget {
  Q_OBJECT

 public:
  explicit ResponsePlot(QWidget* parent = nullptr);

  // Plots `table` (insight_table of the runs shown), against the key picked before if it
  // still varies.
  void set_table(InsightTable table);
  // Picks the x axis's key; false when it is not a numeric key that varies.
  bool show_against(const std::string& key);
  QCustomPlot* plot() const { return plot_; }
  const MetricResponse& response() const { return response_; }

 private:
  void redraw();

  QLabel* caption_;
  QComboBox* keys_;
  QCustomPlot* plot_;
  InsightTable table_;
  MetricResponse response_;
};

}  // namespace qn::ui
