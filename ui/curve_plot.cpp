#include "curve_plot.h"

#include <QVBoxLayout>
#include "qcustomplot_include.h"

#include "runs_table_model.h"

namespace qn::ui {
namespace {

constexpr size_t kMaxCurves = 12;

QColor colour(size_t index) {
  static const QColor kPalette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},
                                    {214, 39, 40},  {148, 103, 189}, {140, 86, 75},
                                    {227, 119, 194}, {127, 127, 127}, {188, 189, 34},
                                    {23, 190, 207}};
  return kPalette[index % (sizeof kPalette / sizeof kPalette[0])];
}

}  // namespace

CurvePlot::CurvePlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->xAxis->setLabel("step");
  plot_->yAxis->setLabel("training loss");
  plot_->yAxis2->setLabel("evaluated metric (points)");
  plot_->yAxis2->setVisible(true);
  plot_->legend->setVisible(true);
  plot_->setNoAntialiasingOnDrag(true);
}

int CurvePlot::curve_count() const { return static_cast<int>(loss_lines_); }

void CurvePlot::show_runs(const std::vector<const StoredRun*>& runs, const CurveMap& curves) {
  plot_->clearGraphs();
  loss_lines_ = 0;
  std::string metric_name;
  for (size_t i = 0; i < runs.size() && i < kMaxCurves; ++i) {
    const auto& run = *runs[i];
    const auto found = curves.find(run.id);
    const RunCurve none;
    const auto& curve = found != curves.end() ? found->second : none;
    auto* loss = plot_->addGraph();
    ++loss_lines_;
    loss->setPen(QPen(colour(i), 1.5));
    QString name = QStringLiteral("run %1: %2, %3").arg(run.id).arg(describe_quantizer(run.config),
                                                                     describe_noise(run.config));
    if (run.result) {
      name += QStringLiteral(" -> %1 %2").arg(QString::fromStdString(run.result->metric_name))
                  .arg(run.result->metric, 0, 'f', 4);
    } else {
      name += " (" + QString::fromStdString(to_string(run.status)) + ")";
    }
    loss->setName(name);
    loss->setData(curve.steps, curve.losses, /*alreadySorted=*/true);
    if (curve.eval_steps.isEmpty()) continue;
    metric_name = curve.eval_name;
    auto* metric = plot_->addGraph(plot_->xAxis, plot_->yAxis2);
    metric->setLineStyle(QCPGraph::lsNone);
    metric->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour(i), 8));
    metric->setData(curve.eval_steps, curve.eval_values, /*alreadySorted=*/true);
    metric->removeFromLegend();
  }
  plot_->yAxis2->setLabel(metric_name.empty() ? QStringLiteral("evaluated metric (points)")
                                              : QString::fromStdString(metric_name) + " (points)");
  plot_->legend->setVisible(loss_lines_ > 0);
  plot_->rescaleAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace qn::ui
