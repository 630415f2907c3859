#include "pareto_plot.h"

#include <QCheckBox>
#include <QRubberBand>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>
#include <vector>
#include "qcustomplot_include.h"
#include "plot_hint.h"

#include "byte_format.h"
#include "config/choices.h"
#include "config/config_difference.h"
#include "plot_legend.h"
#include "run_selection.h"
#include "runs_table_model.h"
#include "store/pareto.h"

namespace qn::ui {
namespace {

constexpr int kSeriesCount = ParetoPlot::kSeriesCount;
constexpr int kQuantizerCount = ParetoPlot::kQuantizerCount;

constexpr double kPickRadiusPixels = 12;

// Log-scale ticks at powers of ten (and 2 and 5 times them on narrower ranges), labelled
// as byte sizes.
class ByteTicker : public QCPAxisTickerLog {
 protected:
  QVector<double> createTickVector(double, const QCPRange& range) override {
    QVector<double> ticks;
    if (range.lower <= 0) return ticks;
    // 1, 2 and 5 a decade while they fit; over more than three decades, 1 only.
    const bool wide = range.upper / range.lower > 1e3;
    for (double decade = std::pow(10.0, std::floor(std::log10(range.lower)));
         decade <= range.upper; decade *= 10) {
      for (const double multiple : wide ? std::vector<double>{1.0} : std::vector<double>{1.0, 2.0, 5.0}) {
        if (decade * multiple >= range.lower && decade * multiple <= range.upper) {
          ticks.push_back(decade * multiple);
        }
      }
    }
    return ticks;
  }
  QString getTickLabel(double tick, const QLocale&, QChar, int) override {
    return format_bytes(tick);
  }
};

// A point's colour says its noise mode (the fp32 baseline apart, in black), its shape its
// quantizer: five PQ points at one size are told apart at a glance.
const QColor kSeriesColours[kSeriesCount] = {
    QColor(40, 40, 40),     // fp32 baseline
    QColor(31, 119, 180),   // then noise_mode_choices(): none
    QColor(255, 127, 14),   // STE
    QColor(44, 160, 44),    // Quant-Noise
};

// One shape a quantizer_choices() entry: fp32, int8, int4, intN, PQ, iPQ, iPQ + int8.
const QCPScatterStyle::ScatterShape kQuantizerShapes[kQuantizerCount] = {
    QCPScatterStyle::ssStar,     QCPScatterStyle::ssCircle,   QCPScatterStyle::ssSquare,
    QCPScatterStyle::ssCrossSquare, QCPScatterStyle::ssTriangle, QCPScatterStyle::ssDiamond,
    QCPScatterStyle::ssTriangleInverted,
};

QString series_label(int series) {
  if (series == 0) return "fp32 baseline";
  return QString::fromStdString(noise_mode_choices().at(static_cast<size_t>(series - 1)).label);
}

QCPScatterStyle point_style(int series, int quantizer) {
  const auto shape = kQuantizerShapes[quantizer];
  const bool star = shape == QCPScatterStyle::ssStar;
  const auto colour = kSeriesColours[series];
  // Outlined shapes filled lighter, so that overlapping points stay visible.
  return QCPScatterStyle(shape, QPen(colour, star ? 2 : 1.5), colour.lighter(160), star ? 14 : 10);
}

// The (series, quantizer) of a run's config.
std::pair<int, int> kind_of(const std::optional<RunConfig>& config) {
  if (!config || config->quant.method == QuantMethod::None) return {0, 0};
  return {1 + static_cast<int>(noise_mode_choice_of(config->noise.mode)),
          static_cast<int>(quantizer_choice_of(config->quant))};
}

// What hovering a point shows: the run's quantizer, noise, result and the rest of its
// config in brief.
QString tip_of(const std::vector<const StoredRun*>& group, double mean, double low, double high) {
  const auto& run = *group.front();
  const auto description = describe_run(run.config);
  QString tip = QString::fromStdString(description.quantizer + ", " + description.noise + "\n");
  if (group.size() == 1) {
    tip += QStringLiteral("run %1: ").arg(run.id);
  } else {
    tip += QStringLiteral("%1 seeds, range %2 to %3, mean ").arg(group.size()).arg(low, 0, 'f', 4)
               .arg(high, 0, 'f', 4);
  }
  tip += QStringLiteral("%1 %2 at %3 (x%4)\n")
             .arg(QString::fromStdString(run.result->metric_name))
             .arg(mean, 0, 'f', 4)
             .arg(format_bytes(static_cast<double>(run.result->size_bytes)))
             .arg(run.result->compression, 0, 'f', 1);
  return tip + QString::fromStdString(description.training);
}

}  // namespace

ParetoPlot::ParetoPlot(RunSelection* selection, QWidget* parent)
    : QWidget(parent), selection_(selection), plot_(new QCustomPlot(this)) {
  group_box_ = new QCheckBox("Group seeds (mean, with the range as an error bar)");
  connect(group_box_, &QCheckBox::toggled, this, &ParetoPlot::set_group_seeds);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(group_box_);
  layout->addWidget(plot_);
  plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
  plot_->xAxis->setTicker(QSharedPointer<ByteTicker>::create());
  plot_->xAxis->setLabel("exact size on disk");
  plot_->legend->setVisible(true);
  put_legend_below(*plot_, 2);
  for (int series = 0; series < kSeriesCount; ++series) {
    for (int quantizer = 0; quantizer < kQuantizerCount; ++quantizer) {
      auto* graph = points_graph_[series][quantizer] = plot_->addGraph();
      auto* spread = spreads_[series][quantizer] = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
      spread->setDataPlottable(graph);
      spread->setPen(QPen(kSeriesColours[series]));
      spread->removeFromLegend();
      graph->setLineStyle(QCPGraph::lsNone);
      graph->setScatterStyle(point_style(series, quantizer));
      graph->removeFromLegend();
    }
  }
  // The legend keys, drawn with no data: a colour a noise mode, a (grey) shape a quantizer.
  for (int series = 0; series < kSeriesCount; ++series) {
    auto* key = colour_keys_[series] = plot_->addGraph();
    key->setName(series_label(series));
    key->setLineStyle(QCPGraph::lsNone);
    key->setScatterStyle(series == 0 ? point_style(0, 0)
                                     : QCPScatterStyle(QCPScatterStyle::ssSquare, kSeriesColours[series],
                                                       kSeriesColours[series], 10));
  }
  for (int quantizer = 1; quantizer < kQuantizerCount; ++quantizer) {
    auto* key = shape_keys_[quantizer] = plot_->addGraph();
    key->setName(QString::fromStdString(quantizer_choices().at(static_cast<size_t>(quantizer)).label));
    key->setLineStyle(QCPGraph::lsNone);
    key->setScatterStyle(QCPScatterStyle(kQuantizerShapes[quantizer], QPen(Qt::darkGray, 1.5), Qt::NoBrush, 10));
  }
  front_ = plot_->addGraph();
  front_->setName("Pareto front");
  front_->setLineStyle(QCPGraph::lsStepLeft);
  front_->setPen(QPen(QColor(120, 120, 120), 1.5, Qt::DashLine));
  predicted_ = plot_->addGraph();
  predicted_->setName("solver's prediction");
  predicted_->setLineStyle(QCPGraph::lsNone);
  predicted_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(Qt::black, 1.5), Qt::NoBrush, 10));
  highlight_ = plot_->addGraph();
  highlight_->setName("selected");
  highlight_->setLineStyle(QCPGraph::lsNone);
  highlight_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::red, 2), Qt::NoBrush, 17));
  highlight_->removeFromLegend();
  connect(plot_, &QCustomPlot::mouseMove, this, &ParetoPlot::on_mouse_move);
  connect(plot_, &QCustomPlot::mousePress, this, &ParetoPlot::on_mouse_press);
  connect(plot_, &QCustomPlot::mouseRelease, this, &ParetoPlot::on_mouse_release);
  band_ = new QRubberBand(QRubberBand::Rectangle, plot_);
  connect(selection_, &RunSelection::changed, this, &ParetoPlot::show_selection);
  set_runs(nullptr, {});
}

void ParetoPlot::set_group_seeds(bool group) {
  group_seeds_ = group;
  redraw();
}

void ParetoPlot::set_predictions(std::vector<SolverPrediction> predictions) {
  predictions_ = std::move(predictions);
  redraw();
}

void ParetoPlot::set_runs(RunList runs, std::vector<const StoredRun*> shown) {
  run_list_ = std::move(runs);
  runs_ = std::move(shown);
  redraw();
}

void ParetoPlot::redraw() {
  // One metric per plot: the one most finished runs report.
  int accuracy = 0, perplexity = 0;
  for (const auto* run : runs_) {
    if (run->result && !run->hidden) (run->result->metric_name == "perplexity" ? perplexity : accuracy)++;
  }
  metric_ = perplexity > accuracy ? "perplexity" : "accuracy";
  const bool lower_is_better = metric_ == "perplexity";

  // Points: one a run, or one a group of runs that differ only by seed.
  std::vector<std::vector<const StoredRun*>> groups;
  std::map<std::string, size_t> group_of;
  for (const auto* run : runs_) {
    if (run->status != RunStatus::Done || !run->result || run->hidden ||
        run->result->metric_name != metric_) {
      continue;
    }
    const bool by_config = group_seeds_ && run->config;
    const auto key = by_config ? key_ignoring(*run->config, seed_keys()) : std::to_string(run->id);
    const auto [found, added] = group_of.emplace(key, groups.size());
    if (added) groups.emplace_back();
    groups[found->second].push_back(run);
  }
  points_.clear();
  struct Coordinates {
    QVector<double> xs, ys, below, above;
  };
  std::map<std::pair<int, int>, Coordinates> by_kind;
  std::vector<ParetoPoint> front_points;
  for (const auto& group : groups) {
    double sum = 0, low = group.front()->result->metric, high = low;
    std::vector<int64_t> ids;
    for (const auto* run : group) {
      sum += run->result->metric;
      low = std::min(low, run->result->metric);
      high = std::max(high, run->result->metric);
      ids.push_back(run->id);
    }
    const double x = static_cast<double>(group.front()->result->size_bytes);
    const double y = sum / static_cast<double>(group.size());
    auto& kind = by_kind[kind_of(group.front()->config)];
    kind.xs.push_back(x);
    kind.ys.push_back(y);
    kind.below.push_back(y - low);
    kind.above.push_back(high - y);
    points_.push_back({group, ids, x, y, low, high});
    front_points.push_back({group.front()->result->size_bytes, y});
  }
  for (int series = 0; series < kSeriesCount; ++series) {
    for (int quantizer = 0; quantizer < kQuantizerCount; ++quantizer) {
      const auto found = by_kind.find({series, quantizer});
      const auto& kind = found == by_kind.end() ? Coordinates{} : found->second;
      points_graph_[series][quantizer]->setData(kind.xs, kind.ys);
      spreads_[series][quantizer]->setData(kind.below, kind.above);
    }
  }
  std::set<std::pair<int, int>> kinds;
  for (const auto& entry : by_kind) kinds.insert(entry.first);
  show_legend_keys(kinds);
  QVector<double> front_x, front_y;
  for (const size_t index : pareto_front(front_points, lower_is_better)) {
    front_x.push_back(points_[index].x);
    front_y.push_back(points_[index].y);
  }
  front_->setData(front_x, front_y);  // sorted by x, as pareto_front returns it
  draw_predictions();

  plot_->yAxis->setLabel(lower_is_better ? "perplexity (lower is better, axis reversed)"
                                         : "accuracy");
  plot_->yAxis->setRangeReversed(lower_is_better);
  fit_axes(lower_is_better);
  set_empty_hint(*plot_, points_.empty() ? QStringLiteral(
      "No finished run to plot yet. Each done run is a point here: its metric\n"
      "against its exact size on disk. Press Run (Ctrl+R) or Sweep... on the left.") : QString());
  show_selection();  // the points moved; replots
}

void ParetoPlot::show_legend_keys(const std::set<std::pair<int, int>>& kinds) {
  // Only the colours and shapes drawn, in a fixed order: noise modes, then quantizers.
  bool series_drawn[kSeriesCount] = {}, quantizer_drawn[kQuantizerCount] = {};
  for (const auto& kind : kinds) {
    series_drawn[kind.first] = true;
    if (kind.first > 0) quantizer_drawn[kind.second] = true;
  }
  for (auto* key : colour_keys_) key->removeFromLegend();
  for (auto* key : shape_keys_) if (key) key->removeFromLegend();
  front_->removeFromLegend();
  for (int series = 0; series < kSeriesCount; ++series) {
    if (series_drawn[series]) colour_keys_[series]->addToLegend();
  }
  for (int quantizer = 1; quantizer < kQuantizerCount; ++quantizer) {
    if (quantizer_drawn[quantizer]) shape_keys_[quantizer]->addToLegend();
  }
  front_->addToLegend();
}

void ParetoPlot::fit_axes(bool lower_is_better) {
  if (points_.empty()) {
    plot_->xAxis->setRange(1e4, 1e7);
    plot_->yAxis->setRange(0, 1);
    return;
  }
  // From the points themselves: one point (or one size) must not open the axes to
  // QCustomPlot's default spans (five decades of sizes, accuracy from -0.5 to 1.5).
  double x_low = points_.front().x, x_high = x_low;
  double y_low = points_.front().low, y_high = points_.front().high;
  for (const auto& point : points_) {
    x_low = std::min(x_low, point.x);
    x_high = std::max(x_high, point.x);
    y_low = std::min(y_low, point.low);
    y_high = std::max(y_high, point.high);
  }
  plot_->xAxis->setRange(x_low / 1.6, x_high * 1.6);
  const double margin = std::max(lower_is_better ? y_high * 0.01 : 0.005, (y_high - y_low) * 0.1);
  plot_->yAxis->setRange(y_low - margin, y_high + margin);
}

void ParetoPlot::draw_predictions() {
  plot_->clearItems();
  joined_predictions_ = 0;
  QVector<double> xs, ys;
  for (const auto& prediction : predictions_) {
    const double x = static_cast<double>(prediction.size_bytes);
    xs.push_back(x);
    ys.push_back(prediction.metric);
    for (const auto& point : points_) {
      if (point.runs.front()->config_hash != prediction.config_hash) continue;
      auto* line = new QCPItemLine(plot_);
      line->start->setCoords(x, prediction.metric);
      line->end->setCoords(point.x, point.y);
      line->setPen(QPen(Qt::black, 1, Qt::DotLine));
      ++joined_predictions_;
      break;
    }
  }
  predicted_->setData(xs, ys);
  predictions_.empty() ? predicted_->removeFromLegend() : predicted_->addToLegend();
}

void ParetoPlot::show_selection() {
  QVector<double> xs, ys;
  for (const auto& point : points_) {
    const auto selected = [this](int64_t id) { return selection_->contains(id); };
    if (std::any_of(point.run_ids.begin(), point.run_ids.end(), selected)) {
      xs.push_back(point.x);
      ys.push_back(point.y);
    }
  }
  highlight_->setData(xs, ys);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

QPointF ParetoPlot::pixel_of(int64_t run_id) const {
  for (const auto& point : points_) {
    if (std::find(point.run_ids.begin(), point.run_ids.end(), run_id) != point.run_ids.end()) {
      return {plot_->xAxis->coordToPixel(point.x), plot_->yAxis->coordToPixel(point.y)};
    }
  }
  return {-1, -1};
}

const ParetoPlot::Point* ParetoPlot::nearest(const QPointF& pixel) const {
  const Point* best = nullptr;
  double best_distance = kPickRadiusPixels;
  for (const auto& point : points_) {
    const double dx = plot_->xAxis->coordToPixel(point.x) - pixel.x();
    const double dy = plot_->yAxis->coordToPixel(point.y) - pixel.y();
    const double distance = std::hypot(dx, dy);
    if (distance <= best_distance) {
      best_distance = distance;
      best = &point;
    }
  }
  return best;
}

QString ParetoPlot::tip_at(const Point& point) const {
  return tip_of(point.runs, point.y, point.low, point.high);
}

QString ParetoPlot::tip_of_run(int64_t run_id) const {
  for (const auto& point : points_) {
    if (std::find(point.run_ids.begin(), point.run_ids.end(), run_id) != point.run_ids.end()) {
      return tip_at(point);
    }
  }
  return {};
}

void ParetoPlot::on_mouse_move(QMouseEvent* event) {
  if (band_->isVisible()) {
    band_->setGeometry(QRect(band_origin_, event->position().toPoint()).normalized());
    return;
  }
  const auto* point = nearest(event->position());
  if (point) {
    QToolTip::showText(event->globalPosition().toPoint(), tip_at(*point), plot_);
  } else {
    QToolTip::hideText();
  }
}

void ParetoPlot::on_mouse_press(QMouseEvent* event) {
  const bool adding = event->modifiers() & Qt::ControlModifier;
  if (const auto* point = nearest(event->position())) {
    if (!adding) {
      selection_->set(point->run_ids);
      return;
    }
    // Ctrl-click: the point's runs join the selection, or leave it if they were in it.
    auto ids = selection_->ids();
    const bool selected = std::all_of(point->run_ids.begin(), point->run_ids.end(),
                                      [this](int64_t id) { return selection_->contains(id); });
    for (const auto id : point->run_ids) {
      const auto found = std::find(ids.begin(), ids.end(), id);
      if (selected && found != ids.end()) ids.erase(found);
      if (!selected && found == ids.end()) ids.push_back(id);
    }
    selection_->set(std::move(ids));
    return;
  }
  band_origin_ = event->position().toPoint();
  band_->setGeometry(QRect(band_origin_, QSize()));
  band_->show();
}

void ParetoPlot::on_mouse_release(QMouseEvent* event) {
  if (!band_->isVisible()) return;
  band_->hide();
  const auto rectangle = QRect(band_origin_, event->position().toPoint()).normalized();
  auto ids = runs_within(rectangle);
  if (event->modifiers() & Qt::ControlModifier) {
    auto joined = selection_->ids();
    for (const auto id : ids) {
      if (!selection_->contains(id)) joined.push_back(id);
    }
    ids = std::move(joined);
  }
  selection_->set(std::move(ids));  // a click on an empty spot clears the selection
}

std::vector<int64_t> ParetoPlot::runs_within(const QRect& rectangle) const {
  std::vector<int64_t> ids;
  for (const auto& point : points_) {
    const QPointF pixel(plot_->xAxis->coordToPixel(point.x), plot_->yAxis->coordToPixel(point.y));
    if (rectangle.contains(pixel.toPoint())) ids.insert(ids.end(), point.run_ids.begin(), point.run_ids.end());
  }
  return ids;
}

}  // namespace qn::ui
