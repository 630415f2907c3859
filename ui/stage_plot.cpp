#include "stage_plot.h"

#include <QVBoxLayout>
#include <algorithm>
#include "qcustomplot_include.h"

#include "config/run_description.h"

namespace qn::ui {
namespace {

// A staircase over stages 1..n: each value held from its stage to the next, so that the
// last stage gets a step of its own.
void set_staircase(QCPGraph* graph, const QVector<double>& stages, const QVector<double>& values) {
  QVector<double> x = stages, y = values;
  if (!x.isEmpty()) {
    x.push_back(x.back() + 1);
    y.push_back(y.back());
  }
  graph->setData(x, y, /*alreadySorted=*/true);
  graph->setLineStyle(QCPGraph::lsStepLeft);
}

}  // namespace

StagePlot::StagePlot(QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(plot_);
  plot_->xAxis->setLabel("PQ stage (solid: right after quantizing it; dashed: after fine-tuning)");
  plot_->yAxis->setLabel("metric");
  plot_->xAxis->ticker()->setTickStepStrategy(QCPAxisTicker::tssReadability);
  plot_->legend->setVisible(true);
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  plot_->setNoAntialiasingOnDrag(true);
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
    const auto description = describe_run(runs[i]->config);
    auto* quantized = plot_->addGraph();
    quantized->setPen(QPen(colour, 2));
    quantized->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 7));
    set_staircase(quantized, curve.stage_numbers, curve.after_quantization);
    quantized->setName(QStringLiteral("run %1: %2, %3").arg(runs[i]->id).arg(
        QString::fromStdString(description.quantizer), QString::fromStdString(description.noise)));
    values += curve.after_quantization;
    if (!curve.finetuned_stage_numbers.isEmpty()) {
      auto* finetuned = plot_->addGraph();
      finetuned->setPen(QPen(colour, 1.2, Qt::DashLine));
      finetuned->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, 7));
      set_staircase(finetuned, curve.finetuned_stage_numbers, curve.after_finetune);
      finetuned->removeFromLegend();
      values += curve.after_finetune;
    }
    metric_name = curve.eval_name;
  }
  setVisible(!values.isEmpty());
  if (values.isEmpty()) return;
  plot_->yAxis->setLabel(QString::fromStdString(metric_name.empty() ? "metric" : metric_name));
  plot_->rescaleAxes();
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  const double margin = std::max((*high - *low) * 0.08, 0.005);
  plot_->yAxis->setRange(*low - margin, *high + margin);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace qn::ui
