#pragma once

#include <QWidget>
#include <map>
#include <vector>

#include "store/run_store.h"

class QCustomPlot;
class QCPGraph;

namespace qn::ui {

// Every finished run as a point: x = exact size in bytes (log scale, B/KB/MB labels),
// y = its metric (accuracy up; perplexity axis reversed, so better is always up). One
// colour and shape per noise mode, the fp32 baseline apart, and the Pareto front as a
// step line. Hovering shows a run's config and result; clicking selects it.
class ParetoPlot : public QWidget {
  Q_OBJECT

 public:
  explicit ParetoPlot(QWidget* parent = nullptr);

  void set_runs(const std::vector<StoredRun>& runs);
  // Highlights these runs (the shared selection); the others stay as they are.
  void select_runs(const std::vector<int64_t>& run_ids);
  QCustomPlot* plot() const { return plot_; }
  // How many runs are drawn, and which metric the y axis shows.
  int point_count() const { return static_cast<int>(points_.size()); }
  std::string metric_name() const { return metric_; }
  // Where a run's point is, in plot() pixels (tests click there); {-1, -1} if not drawn.
  QPointF pixel_of(int64_t run_id) const;

 Q_SIGNALS:
  void runClicked(qint64 run_id);

 private:
  struct Point {
    int64_t run_id;
    double x, y;
    QString tip;
  };
  void on_mouse_move(QMouseEvent* event);
  void on_mouse_press(QMouseEvent* event);
  const Point* nearest(const QPointF& pixel) const;

  QCustomPlot* plot_;
  QCPGraph* selection_;
  std::vector<Point> points_;
  std::string metric_ = "accuracy";
};

}  // namespace qn::ui
