#include "parallel_plot.h"

#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

#include "byte_format.h"
#include "qcustomplot_include.h"
#include "plot_hint.h"
#include "config/key_titles.h"
#include "run_selection.h"

namespace qn::ui {
namespace {

constexpr double kReachPixels = 14;  // how far from an axis a press still brushes it
constexpr double kClickPixels = 3;   // a drag shorter than this is a click: clears the brush
constexpr const char* kSelectedLayer = "selected runs";  // above the grey lines
const QColor kUnselected(190, 190, 190, 110);
const QColor kBrushFill(255, 200, 0, 70);

// Worst metric to best: blue, through grey-violet, to red.
QColor metric_colour(double share_of_best) {
  static const QColor worst(59, 76, 192), middle(150, 120, 170), best(200, 30, 40);
  const auto mix = [](const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                            static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                            static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
  };
  const double t = std::clamp(share_of_best, 0.0, 1.0);
  return t < 0.5 ? mix(worst, middle, 2 * t) : mix(middle, best, 2 * t - 1);
}

// Category labels longer than this (quant.layers' JSON) are cut, with an ellipsis: the full
// value is in the runs table.
constexpr int kLongestLabel = 14;

QString value_label(const InsightAxis& axis, double value, bool is_size) {
  if (axis.categorical) {
    const auto text = QString::fromStdString(axis.levels.at(static_cast<size_t>(value)));
    return text.size() <= kLongestLabel ? text : text.left(kLongestLabel - 1) + QChar(0x2026);
  }
  if (is_size) return format_bytes(value);
  return QString::number(value, 'g', 4);
}

}  // namespace

ParallelPlot::ParallelPlot(RunSelection* selection, QWidget* parent)
    : QWidget(parent), selection_(selection), plot_(new QCustomPlot(this)), caption_(new QLabel) {
  caption_->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(caption_);
  layout->addWidget(plot_, 1);
  plot_->xAxis->setVisible(false);
  plot_->yAxis->setVisible(false);
  plot_->addLayer(kSelectedLayer, plot_->layer("main"), QCustomPlot::limAbove);
  connect(plot_, &QCustomPlot::mousePress, this, &ParallelPlot::on_mouse_press);
  connect(plot_, &QCustomPlot::mouseMove, this, &ParallelPlot::on_mouse_move);
  connect(plot_, &QCustomPlot::mouseRelease, this, &ParallelPlot::on_mouse_release);
  connect(selection_, &RunSelection::changed, this, &ParallelPlot::show_selection);
  set_table({});
}

void ParallelPlot::set_table(InsightTable table) {
  std::map<std::string, AxisRange> brushed;  // by key: brushes follow their key's axis
  for (const auto& range : brushes_) brushed[table_.axes[range.axis].key] = range;
  table_ = std::move(table);
  brushes_.clear();
  for (size_t axis = 0; axis < table_.axes.size(); ++axis) {
    const auto found = brushed.find(table_.axes[axis].key);
    if (found != brushed.end()) brushes_.push_back({axis, found->second.low, found->second.high});
  }
  redraw();
}

double ParallelPlot::height_of(const InsightAxis& axis, double value) const {
  double height = 0.5;
  if (axis.categorical) {
    if (axis.levels.size() > 1) height = value / static_cast<double>(axis.levels.size() - 1);
  } else if (axis.high > axis.low) {
    height = axis.log_scale ? std::log(value / axis.low) / std::log(axis.high / axis.low)
                            : (value - axis.low) / (axis.high - axis.low);
  }
  const bool reversed = &axis == &table_.axes.back() && table_.metric_name == "perplexity";
  return reversed ? 1 - height : height;
}

double ParallelPlot::value_at(const InsightAxis& axis, double height) const {
  const bool reversed = &axis == &table_.axes.back() && table_.metric_name == "perplexity";
  if (reversed) height = 1 - height;
  if (axis.categorical) return height * static_cast<double>(std::max<size_t>(axis.levels.size(), 2) - 1);
  if (axis.high <= axis.low) return axis.low;
  return axis.log_scale ? axis.low * std::pow(axis.high / axis.low, height)
                        : axis.low + height * (axis.high - axis.low);
}

void ParallelPlot::redraw() {
  plot_->clearPlottables();
  plot_->clearItems();
  brush_items_.clear();
  const auto& axes = table_.axes;
  const size_t runs = table_.run_ids.size();
  if (runs == 0) {
    caption_->setText("No finished runs to compare: the runs shown in the table (as filtered) "
                      "that are done appear here, one line each.");
    set_empty_hint(*plot_, "No finished runs to draw: each done run shown in the table\n"
                           "is a line across the config keys that vary, its size and its metric.");
    plot_->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  caption_->setText(
      QStringLiteral("%1 finished runs; %2 config keys vary among them. Each line is a run, "
                     "coloured by %3 from worst (blue) to best (red). Drag along an axis to "
                     "select the runs in a range (brushes on several axes combine); click an "
                     "axis to clear its brush.")
          .arg(runs).arg(table_.config_axes).arg(QString::fromStdString(table_.metric_name)));
  set_empty_hint(*plot_, {});
  plot_->xAxis->setRange(-0.6, static_cast<double>(axes.size()) - 0.4);
  plot_->yAxis->setRange(-0.06, 1.18);

  for (size_t index = 0; index < axes.size(); ++index) {
    const auto& axis = axes[index];
    const double x = static_cast<double>(index);
    auto* line = new QCPItemLine(plot_);
    line->start->setCoords(x, 0);
    line->end->setCoords(x, 1);
    line->setPen(QPen(Qt::black, 1.5));
    auto* title = new QCPItemText(plot_);
    // Titles alternate between two heights so that long keys side by side stay readable.
    title->position->setCoords(x, index % 2 == 0 ? 1.03 : 1.09);
    title->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    title->setText(QString::fromStdString(key_title(axis.key)));
    title->setLayer("axes");  // above the runs' lines
    title->setFont(QFont(font().family(), font().pointSize(), QFont::Bold));
    std::vector<double> ticks;
    if (axis.categorical) {
      for (size_t level = 0; level < axis.levels.size(); ++level) ticks.push_back(static_cast<double>(level));
    } else {
      ticks = {axis.low, value_at(axis, 0.5), axis.high};
      if (axis.high <= axis.low) ticks = {axis.low};
    }
    for (const double tick : ticks) {
      auto* label = new QCPItemText(plot_);
      label->position->setCoords(x, height_of(axis, tick));
      label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
      label->setPadding(QMargins(5, 0, 0, 0));
      label->setText(value_label(axis, tick, index == table_.config_axes));
      label->setColor(QColor(60, 60, 60));
      // Above the runs' lines, on a light backing, so no line covers a value.
      label->setLayer("axes");
      label->setBrush(QColor(255, 255, 255, 210));
    }
  }
  const auto& metric = axes.back();
  for (size_t run = 0; run < runs; ++run) {
    auto* curve = new QCPCurve(plot_->xAxis, plot_->yAxis);
    QVector<double> xs, ys;
    for (size_t index = 0; index < axes.size(); ++index) {
      xs.push_back(static_cast<double>(index));
      ys.push_back(height_of(axes[index], axes[index].values[run]));
    }
    curve->setData(xs, ys);
    curve->setProperty("run_id", QVariant::fromValue<qint64>(table_.run_ids[run]));
    curve->setProperty("colour", metric_colour(height_of(metric, metric.values[run])));
  }
  draw_brushes();
  show_selection();
}

void ParallelPlot::show_selection() {
  const bool any_selected = std::any_of(table_.run_ids.begin(), table_.run_ids.end(),
                                        [this](int64_t id) { return selection_->contains(id); });
  for (int index = 0; index < plot_->plottableCount(); ++index) {
    auto* curve = plot_->plottable(index);
    const bool coloured = !any_selected || selection_->contains(curve->property("run_id").toLongLong());
    curve->setPen(coloured ? QPen(curve->property("colour").value<QColor>(), 2) : QPen(kUnselected, 1));
    curve->setLayer(coloured ? kSelectedLayer : "main");
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ParallelPlot::draw_brushes() {
  for (auto* item : brush_items_) plot_->removeItem(item);
  brush_items_.clear();
  auto add = [this](size_t axis, double from_height, double to_height) {
    auto* rect = new QCPItemRect(plot_);
    const double x = static_cast<double>(axis);
    rect->topLeft->setCoords(x - 0.06, std::max(from_height, to_height));
    rect->bottomRight->setCoords(x + 0.06, std::min(from_height, to_height));
    rect->setBrush(kBrushFill);
    rect->setPen(QPen(QColor(200, 150, 0), 1));
    brush_items_.push_back(rect);
  };
  for (const auto& range : brushes_) {
    const auto& axis = table_.axes[range.axis];
    add(range.axis, height_of(axis, range.low), height_of(axis, range.high));
  }
  if (drag_) add(drag_->axis, drag_->start_height, drag_->end_height);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ParallelPlot::brush(size_t axis, double low, double high) {
  brushes_.erase(std::remove_if(brushes_.begin(), brushes_.end(),
                                [axis](const AxisRange& range) { return range.axis == axis; }),
                 brushes_.end());
  brushes_.push_back({axis, std::min(low, high), std::max(low, high)});
  draw_brushes();
  select_brushed();
}

void ParallelPlot::clear_brushes() {
  brushes_.clear();
  draw_brushes();
  select_brushed();
}

void ParallelPlot::select_brushed() {
  selection_->set(brushes_.empty() ? std::vector<int64_t>{} : runs_within(table_, brushes_));
}

QPointF ParallelPlot::pixel_of(size_t axis, double value) const {
  return {plot_->xAxis->coordToPixel(static_cast<double>(axis)),
          plot_->yAxis->coordToPixel(height_of(table_.axes.at(axis), value))};
}

std::optional<size_t> ParallelPlot::axis_at(const QPointF& pixel) const {
  if (table_.axes.empty()) return std::nullopt;
  const double coordinate = plot_->xAxis->pixelToCoord(pixel.x());
  const double nearest = std::clamp(std::round(coordinate), 0.0, static_cast<double>(table_.axes.size() - 1));
  if (std::abs(plot_->xAxis->coordToPixel(nearest) - pixel.x()) > kReachPixels) return std::nullopt;
  const double height = plot_->yAxis->pixelToCoord(pixel.y());
  if (height < -0.05 || height > 1.05) return std::nullopt;
  return static_cast<size_t>(nearest);
}

void ParallelPlot::on_mouse_press(QMouseEvent* event) {
  const auto axis = axis_at(event->position());
  if (!axis) return;
  const double height = std::clamp(plot_->yAxis->pixelToCoord(event->position().y()), 0.0, 1.0);
  drag_ = Drag{*axis, height, height};
}

void ParallelPlot::on_mouse_move(QMouseEvent* event) {
  if (!drag_) return;
  drag_->end_height = std::clamp(plot_->yAxis->pixelToCoord(event->position().y()), 0.0, 1.0);
  draw_brushes();
}

void ParallelPlot::on_mouse_release(QMouseEvent* event) {
  if (!drag_) return;
  const auto drag = *drag_;
  drag_.reset();
  const double end = std::clamp(plot_->yAxis->pixelToCoord(event->position().y()), 0.0, 1.0);
  const bool click = std::abs(plot_->yAxis->coordToPixel(end) - plot_->yAxis->coordToPixel(drag.start_height)) <
                     kClickPixels;
  if (click) {
    const auto kept = std::remove_if(brushes_.begin(), brushes_.end(),
                                     [&](const AxisRange& range) { return range.axis == drag.axis; });
    const bool cleared = kept != brushes_.end();
    brushes_.erase(kept, brushes_.end());
    draw_brushes();
    if (cleared) select_brushed();  // a click where no brush was leaves the selection alone
    return;
  }
  const auto& axis = table_.axes[drag.axis];
  brush(drag.axis, value_at(axis, drag.start_height), value_at(axis, end));
}

}  // namespace qn::ui
