#pragma once

#include <QWidget>
#include <vector>

#include "sweep/sweep_insight.h"

class QCustomPlot;
class QCPItemRect;
class QLabel;
class QMouseEvent;

namespace qn::ui {

class RunSelection;

// Parallel coordinates over the finished runs shown (the Pareto plot's, as the runs table
// filters them): one vertical axis per config key that varies among them, then size and
// metric (better up); each run is a line across them, coloured by its metric. Dragging
// along an axis brushes a range of its values; the runs inside every brush become the
// shared RunSelection (the table, the Pareto plot and the curves follow), and a click on an
// axis without dragging clears its brush. Selected runs are drawn in colour and the others
// in grey; with nothing selected, all in colour.
class ParallelPlot : public QWidget {
  Q_OBJECT

 public:
  explicit ParallelPlot(RunSelection* selection, QWidget* parent = nullptr);

  // Plots `table` (insight_table of the runs shown). Brushes on keys that are still axes stay.
  void set_table(InsightTable table);
  QCustomPlot* plot() const { return plot_; }
  const InsightTable& table() const { return table_; }
  // Brushes axis `axis` to the values [low, high] (as dragging does) and selects the runs
  // inside every brush.
  void brush(size_t axis, double low, double high);
  void clear_brushes();
  const std::vector<AxisRange>& brushes() const { return brushes_; }
  // Where an axis's value is drawn, in plot() pixels (tests drag there).
  QPointF pixel_of(size_t axis, double value) const;

 private:
  void redraw();          // axes and lines, from table_
  void show_selection();  // colours the selected runs' lines, greys the others; replots
  void draw_brushes();
  void select_brushed();
  // Where on [0, 1] an axis draws `value` (better metric up), and back.
  double height_of(const InsightAxis& axis, double value) const;
  double value_at(const InsightAxis& axis, double height) const;
  // The axis nearest the pixel's x, if within reach.
  std::optional<size_t> axis_at(const QPointF& pixel) const;
  void on_mouse_press(QMouseEvent* event);
  void on_mouse_move(QMouseEvent* event);
  void on_mouse_release(QMouseEvent* event);

  RunSelection* selection_;
  QCustomPlot* plot_;
  QLabel* caption_;
  InsightTable table_;
  std::vector<AxisRange> brushes_;
  std::vector<QCPItemRect*> brush_items_;
  struct Drag {
    size_t axis;
    double start_height, end_height;
  };
  std::optional<Drag> drag_;
};

}  // namespace qn::ui
