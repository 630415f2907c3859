#include "stage_plot.h"

#include <QVBoxLayout>
#include <algorithm>

#include "metric_axis.h"
#include "qcustomplot_include.h"


namespace qn::ui {
namespace {

// One run's stage metrics: a staircase (each stage's value held from half a stage before
// it to half a stage after, so every stage has a step centred on its number) and a marker
// at each stage.
void add_staircase(QCustomPlot* plot, const QVector<double>& stages, const QVector<double>& values,
                   const QPen& pen, const QCPScatterStyle& marker) {
  QVector<double> x, y;
  for (int i = 0; i < stages.size(); ++i) {
    x << stages[i] - 0.5 << stages[i] + 0.5;
    y << values[i] << values[i];
  }
  auto* steps = plot->addGraph();
  steps->setPen(pen);
  steps->setData(x, y, /*alreadySorted=*/true);
  steps->removeFromLegend();
  auto* markers = plot->addGraph();
  markers->setLineStyle(QCPGraph::lsNone);
  markers->setScatterStyle(marker);
  markers->setData(stages, values, /*alreadySorted=*/true);
  markers->removeFromLegend();
}

}  // namespace

StagePlot::StagePlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->xAxis->setLabel("PQ stage (solid: right after quantizing it; dashed: after fine-tuning)");
  plot_->yAxis->setLabel("metric");
  QSharedPointer<QCPAxisTickerFixed> whole_stages(new QCPAxisTickerFixed);
  whole_stages->setTickStep(1);
  whole_stages->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  plot_->xAxis->setTicker(whole_stages);
  plot_->setNoAntialiasingOnDrag(true);  // colours say which run: the curve plot's legend
  setVisible(false);
}

void StagePlot::show_runs(const std::vector<const StoredRun*>& runs, const CurveMap& curves,
                          const std::function<QColor(size_t)>& colour_of) {
  plot_->clearGraphs();
  QVector<double> values;
  std::string metric_name;
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto found = curves.find(runs[i]->id);
    if (found == curves.end() || found->second.stage_numbers.isEmpty()) continue;
    const auto& curve = found->second;
    const auto colour = colour_of(i);
    add_staircase(plot_, curve.stage_numbers, curve.after_quantization, QPen(colour, 2),
                  QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 7));
    values += curve.after_quantization;
    if (!curve.finetuned_stage_numbers.isEmpty()) {
      add_staircase(plot_, curve.finetuned_stage_numbers, curve.after_finetune,
                    QPen(colour, 1.2, Qt::DashLine),
                    QCPScatterStyle(QCPScatterStyle::ssCircle, colour, 7));
      values += curve.after_finetune;
    }
    metric_name = curve.eval_name;
  }
  setVisible(!values.isEmpty());
  if (values.isEmpty()) return;
  plot_->yAxis->setLabel(QString::fromStdString(metric_name.empty() ? "metric" : metric_name));
  plot_->rescaleAxes();
  fit_metric_axis(*plot_->yAxis, metric_name, values);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace qn::ui
