#include "curve_plot.h"

#include <QVBoxLayout>
#include <algorithm>
#include "qcustomplot_include.h"

#include "metric_axis.h"
#include "plot_hint.h"
#include "plot_legend.h"
#include "plot_palette.h"
#include "runs_table_model.h"
#include "stage_plot.h"

namespace qn::ui {
namespace {

constexpr size_t kMaxCurves = 12;

}  // namespace

CurvePlot::CurvePlot(QWidget* parent)
    : QWidget(parent), stages_(new StagePlot), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_, 2);  // the curves and their legend first; the staircase below
  layout->addWidget(stages_, 1);
  plot_->xAxis->setLabel("step");
  plot_->yAxis->setLabel("training loss");
  plot_->yAxis2->setLabel("metric");
  plot_->yAxis2->setVisible(true);
  plot_->legend->setVisible(true);
  put_legend_below(*plot_, 2);
  plot_->setNoAntialiasingOnDrag(true);
  // What the right axis's marks measure, where a reader hovers to ask.
  plot_->setToolTip(
      "Line: the training loss (left axis).\n"
      "Dashed, circles: the float model evaluated while it trains (train.eval_every), with\n"
      "BatchNorm's running averages. Those lag the weights in the first steps: the metric reads\n"
      "low there although the loss is already low (seen: accuracy 0.31 at step 20 with loss 0.75,\n"
      "with or without noise).\n"
      "Diamond: the compressed model at the end, with BatchNorm re-estimated on training batches.");
}

void CurvePlot::show_runs(const std::vector<const StoredRun*>& runs, const CurveMap& curves) {
  plot_->clearGraphs();
  size_t loss_lines = 0;
  std::string metric_name;
  QVector<double> metric_values;  // for the right axis's range
  for (size_t i = 0; i < runs.size() && i < kMaxCurves; ++i) {
    const auto& run = *runs[i];
    const auto found = curves.find(run.id);
    const RunCurve none;
    const auto& curve = found != curves.end() ? found->second : none;
    auto* loss = plot_->addGraph();
    ++loss_lines;
    loss->setPen(QPen(palette_colour(i), 1.5));
    const auto description = describe_run(run.config);
    QString name = QStringLiteral("run %1: %2, %3").arg(run.id).arg(
        QString::fromStdString(description.quantizer), QString::fromStdString(description.noise));
    if (run.result) {
      name += QStringLiteral(" -> %1 %2").arg(QString::fromStdString(run.result->metric_name))
                  .arg(run.result->metric, 0, 'f', 4);
    } else {
      name += " (" + QString::fromStdString(to_string(run.status)) + ")";
    }
    if (curve.examples_per_second > 0) {  // the last steps' pace: live while it trains
      const auto task = run.config ? run.config->task : std::string();
      const char* unit = is_language_model_task(task) ? "tokens" : is_text_task(task) ? "texts" : "images";
      name += QStringLiteral(", %1 %2/s").arg(curve.examples_per_second, 0, 'f', 0).arg(unit);
    }
    loss->setName(name);
    loss->setData(curve.steps, curve.losses, /*alreadySorted=*/true);
    if (!curve.eval_name.empty()) metric_name = curve.eval_name;
    if (!curve.float_steps.isEmpty()) {
      auto* in_training = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
      in_training->setPen(QPen(palette_colour(i), 1.2, Qt::DashLine));
      in_training->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, palette_colour(i), 6));
      in_training->setData(curve.float_steps, curve.float_values, /*alreadySorted=*/true);
      in_training->removeFromLegend();
      metric_values += curve.float_values;
    }
    if (!curve.eval_steps.isEmpty()) {
      auto* compressed = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
      compressed->setLineStyle(QCPGraph::lsNone);
      compressed->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, palette_colour(i), palette_colour(i), 11));
      compressed->setData(curve.eval_steps, curve.eval_values, /*alreadySorted=*/true);
      compressed->removeFromLegend();
      metric_values += curve.eval_values;
    }
  }
  if (!metric_values.isEmpty()) add_metric_legend();
  plot_->yAxis2->setLabel(metric_name.empty() ? QStringLiteral("metric")
                                              : QString::fromStdString(metric_name));
  plot_->legend->setVisible(loss_lines > 0);
  plot_->yAxis2->setVisible(!metric_values.isEmpty());  // no metric yet: no bare 0-5 axis
  plot_->rescaleAxes();
  fit_metric_axis(*plot_->yAxis2, metric_name, metric_values);
  const auto steps = plot_->xAxis->range();  // room for the end's markers
  plot_->xAxis->setRange(steps.lower, steps.upper + 0.03 * std::max(1.0, steps.size()));
  set_empty_hint(*plot_, hint_for(runs, curves));
  plot_->replot(QCustomPlot::rpQueuedReplot);
  stages_->show_runs(std::vector<const StoredRun*>(runs.begin(), runs.begin() + static_cast<std::ptrdiff_t>(
                                                                     std::min(runs.size(), kMaxCurves))),
                     curves, palette_colour);
}

QString CurvePlot::hint_for(const std::vector<const StoredRun*>& runs, const CurveMap& curves) const {
  if (runs.empty()) return empty_text_;
  const bool any_points = std::any_of(runs.begin(), runs.end(), [&curves](const StoredRun* run) {
    const auto found = curves.find(run->id);
    return found != curves.end() && !found->second.steps.isEmpty();
  });
  if (any_points) return {};
  QStringList names;
  for (const auto* run : runs) {
    names << QStringLiteral("run %1 (%2)").arg(run->id).arg(QString::fromStdString(to_string(run->status)));
  }
  return QStringLiteral("No curve yet for %1:\na run's loss and metric appear here once it trains.")
      .arg(names.join(", "));
}

void CurvePlot::add_metric_legend() {
  // Entries without data that explain the right axis's two marks.
  const QColor grey(110, 110, 110);
  auto* in_training = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
  in_training->setPen(QPen(grey, 1.2, Qt::DashLine));
  in_training->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, grey, 6));
  in_training->setName("float model, in training (right axis)");
  auto* compressed = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
  compressed->setLineStyle(QCPGraph::lsNone);
  compressed->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, grey, grey, 11));
  compressed->setName("compressed model (right axis)");
}

}  // namespace qn::ui
