#include "importance_plot.h"

#include <QLabel>
#include <QVBoxLayout>

#include "qcustomplot_include.h"
#include "plot_hint.h"

namespace qn::ui {

ImportancePlot::ImportancePlot(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)), caption_(new QLabel) {
  caption_->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(caption_);
  layout->addWidget(plot_, 1);
  plot_->xAxis->setLabel("share of the metric's variance explained by the key alone");
  plot_->xAxis->setRange(0, 1.12);
  auto percent = QSharedPointer<QCPAxisTickerText>::create();
  for (int tick = 0; tick <= 100; tick += 20) percent->addTick(tick / 100.0, QStringLiteral("%1%").arg(tick));
  plot_->xAxis->setTicker(percent);
  set_table({});
}

namespace {

// Why the bars need not add up to 100%, with their sum.
QString share_sum_text(const std::vector<KeyImportance>& importance) {
  double sum = 0;
  for (const auto& entry : importance) sum += entry.share;
  if (sum > 1.005) {
    return QStringLiteral("The bars add up to %1%: each key is measured alone, and keys that the "
                          "runs vary together each take the credit they share.")
        .arg(100 * sum, 0, 'f', 0);
  }
  return QStringLiteral("The bars add up to %1%; the rest of the variance is the keys' "
                        "interactions and the runs' noise (seeds).")
      .arg(100 * sum, 0, 'f', 0);
}

}  // namespace

void ImportancePlot::set_table(const InsightTable& table) {
  importance_ = metric_importance(table);
  plot_->clearPlottables();
  plot_->clearItems();
  if (importance_.empty()) {
    caption_->setText("Nothing to explain yet: importance needs at least three finished runs "
                      "whose metric differs and a config key that varies among them.");
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    set_empty_hint(*plot_, "Nothing to explain yet: at least three finished runs\n"
                           "whose metric differs, and a config key that varies among them.");
    plot_->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  set_empty_hint(*plot_, {});
  caption_->setText(
      QStringLiteral("What each varied key explains of the %1 of %2 finished runs: the runs are "
                     "grouped by the key's value and the bar is the share of the variance that lies "
                     "between the groups (eta squared; on a full grid, fANOVA's main effect). Keys "
                     "that vary together share one bar; on a partial grid they also share credit. "
                     "A key with many numeric values is grouped in quartiles. %3")
          .arg(QString::fromStdString(table.metric_name)).arg(table.run_ids.size())
          .arg(share_sum_text(importance_)));
  auto* bars = new QCPBars(plot_->yAxis, plot_->xAxis);  // horizontal: keys up the y axis
  bars->setBrush(QColor(31, 119, 180));
  bars->setPen(Qt::NoPen);
  bars->setWidth(0.6);
  auto keys = QSharedPointer<QCPAxisTickerText>::create();
  const int count = static_cast<int>(importance_.size());
  for (int index = 0; index < count; ++index) {
    const auto& entry = importance_[static_cast<size_t>(index)];
    const double position = count - index;  // the largest on top
    bars->addData(position, entry.share);
    keys->addTick(position, QString::fromStdString(entry.keys));
    auto* label = new QCPItemText(plot_);
    label->position->setCoords(entry.share, position);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    label->setPadding(QMargins(4, 0, 0, 0));
    label->setText(QStringLiteral("%1% (%2 groups)").arg(100 * entry.share, 0, 'f', 1).arg(entry.groups));
  }
  plot_->yAxis->setTicker(keys);
  plot_->yAxis->setRange(0.3, count + 0.7);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace qn::ui
