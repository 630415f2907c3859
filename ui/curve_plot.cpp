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
  plot_->legend->setVisible(true);
  plot_->setNoAntialiasingOnDrag(true);
}

int CurvePlot::curve_count() const { return plot_->graphCount(); }

void CurvePlot::show_runs(RunStore& store, const std::vector<StoredRun>& runs) {
  plot_->clearGraphs();
  for (size_t i = 0; i < runs.size() && i < kMaxCurves; ++i) {
    const auto& run = runs[i];
    QVector<double> steps, losses;
    for (const auto& point : store.metrics(run.id)) {
      if (point.name != "loss") continue;
      steps.push_back(static_cast<double>(point.step));
      losses.push_back(point.value);
    }
    auto* graph = plot_->addGraph();
    graph->setPen(QPen(colour(i), 1.5));
    QString name = QStringLiteral("run %1: %2, %3").arg(run.id).arg(describe_quantizer(run.config),
                                                                     describe_noise(run.config));
    if (run.result) {
      name += QStringLiteral(" -> %1 %2").arg(QString::fromStdString(run.result->metric_name))
                  .arg(run.result->metric, 0, 'f', 4);
    } else {
      name += " (" + QString::fromStdString(to_string(run.status)) + ")";
    }
    graph->setName(name);
    graph->setData(steps, losses, /*alreadySorted=*/true);
  }
  plot_->legend->setVisible(plot_->graphCount() > 0);
  plot_->rescaleAxes();
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace qn::ui
