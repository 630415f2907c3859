#pragma once

#include <QWidget>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "store/run_store.h"
#include "store_worker.h"

class QCheckBox;
class QRubberBand;
class QCustomPlot;
class QCPErrorBars;
class QCPGraph;

namespace qn::ui {

class RunSelection;

// What `qnoise solve` predicted for a mixed config it proposed: drawn beside the run of that
// config once it is measured.
struct SolverPrediction {
  std::string config_hash;  // of the proposed config, as a run of it is stored
  int64_t size_bytes = 0;
  double metric = 0;
};

// Every finished run as a point: x = exact size in bytes (log scale, B/KB/MB labels),
// y = its metric (accuracy up; perplexity axis reversed, so better is always up). A colour
// per noise mode (the fp32 baseline in black), a shape per quantizer, and the Pareto front
// as a step line. Hovering shows a run's config and result; clicking selects it (in the shared
// RunSelection, whose runs it circles), Ctrl-click adds or removes it, and dragging from an
// empty spot selects the points in the rectangle (with Ctrl, adds them). With seeds
// grouped, runs that differ only by their seed become one point at their mean metric with
// an error bar from the lowest to the highest.
class ParetoPlot : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kSeriesCount = 4;     // the fp32 baseline, then a noise mode each
  static constexpr int kQuantizerCount = 7;  // quantizer_choices()

  explicit ParetoPlot(RunSelection* selection, QWidget* parent = nullptr);

  // Plots `shown`, runs of the list `runs` (which keeps them alive).
  void set_runs(RunList runs, std::vector<const StoredRun*> shown);
  void set_group_seeds(bool group);
  // The solver's predictions to draw (hollow squares), each joined by a dotted line to the
  // point of a finished run of its config.
  void set_predictions(std::vector<SolverPrediction> predictions);
  int joined_prediction_count() const { return joined_predictions_; }
  QCustomPlot* plot() const { return plot_; }
  QCheckBox* group_seeds_box() const { return group_box_; }
  // How many points are drawn, and which metric the y axis shows.
  int point_count() const { return static_cast<int>(points_.size()); }
  std::string metric_name() const { return metric_; }
  // Where a run's point is, in plot() pixels (tests click there); {-1, -1} if not drawn.
  QPointF pixel_of(int64_t run_id) const;
  // What hovering the run's point shows; empty if not drawn.
  QString tip_of_run(int64_t run_id) const;

 private:
  struct Point {
    std::vector<const StoredRun*> runs;  // one, or a group differing only by seed
    std::vector<int64_t> run_ids;
    double x, y;        // size, mean metric
    double low, high;   // the metric's range over the group
  };
  void redraw();  // from runs_ and group_seeds_
  void show_selection();  // circles the selected runs' points
  void draw_predictions();  // after the points
  void fit_axes(bool lower_is_better);  // to the points, with a margin
  void on_mouse_move(QMouseEvent* event);
  void on_mouse_press(QMouseEvent* event);
  void on_mouse_release(QMouseEvent* event);
  // The runs of the points inside `rectangle` (plot pixels).
  std::vector<int64_t> runs_within(const QRect& rectangle) const;
  const Point* nearest(const QPointF& pixel) const;
  QString tip_at(const Point& point) const;

  RunSelection* selection_;
  QCustomPlot* plot_;
  QCPGraph* highlight_;  // the selected runs' points, circled
  QCPGraph* predicted_;  // the solver's predictions
  std::vector<SolverPrediction> predictions_;
  int joined_predictions_ = 0;
  // The legend keys of the kinds of point drawn: (series, quantizer) pairs.
  void show_legend_keys(const std::set<std::pair<int, int>>& kinds);
  QCPGraph* points_graph_[kSeriesCount][kQuantizerCount];  // the points of each kind
  QCPErrorBars* spreads_[kSeriesCount][kQuantizerCount];   // their seeds' ranges
  QCPGraph* colour_keys_[kSeriesCount];                    // legend only
  QCPGraph* shape_keys_[kQuantizerCount] = {};             // legend only (not fp32's)
  QCPGraph* front_;
  QCheckBox* group_box_;
  QRubberBand* band_;  // shown while a rectangle is dragged
  QPoint band_origin_;
  RunList run_list_;
  std::vector<const StoredRun*> runs_;  // as last set, in run_list_
  bool group_seeds_ = false;
  std::vector<Point> points_;
  std::string metric_ = "accuracy";
};

}  // namespace qn::ui
