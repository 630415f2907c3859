#include "response_plot.h"

#include <QComboBox>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include "plot_legend.h"
#include "plot_palette.h"
#include "qcustomplot_include.h"
#include "plot_hint.h"

namespace qn::ui {
namespace {

constexpr int kLegendColumns = 2;

}  // namespace

ResponsePlot::ResponsePlot(QWidget* parent)
    : QWidget(parent), caption_(new QLabel), keys_(new QComboBox), plot_(new QCustomPlot(this)) {
  caption_->setWordWrap(true);
  auto* picker = new QHBoxLayout;
  picker->addWidget(new QLabel("Metric against:"));
  picker->addWidget(keys_);
  picker->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(caption_);
  layout->addLayout(picker);
  layout->addWidget(plot_, 1);
  plot_->legend->setVisible(true);
  put_legend_below(*plot_, kLegendColumns);
  connect(keys_, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
  redraw();
}

void ResponsePlot::set_table(InsightTable table) {
  const auto picked = keys_->currentText();
  table_ = std::move(table);
  {
    const QSignalBlocker quiet(keys_);  // one redraw below, not one an item
    keys_->clear();
    for (const auto axis : response_axes(table_)) {
      keys_->addItem(QString::fromStdString(table_.axes[axis].key), static_cast<qulonglong>(axis));
    }
    keys_->setCurrentIndex(std::max(0, keys_->findText(picked)));
  }
  redraw();
}

bool ResponsePlot::show_against(const std::string& key) {
  const int index = keys_->findText(QString::fromStdString(key));
  if (index < 0) return false;
  if (index == keys_->currentIndex()) {
    redraw();  // already picked: the caller still gets a fresh plot
  } else {
    keys_->setCurrentIndex(index);  // redraws
  }
  return true;
}

void ResponsePlot::redraw() {
  plot_->clearPlottables();
  response_ = {};
  keys_->setEnabled(keys_->count() > 1);
  if (keys_->currentIndex() < 0) {
    caption_->setText("Nothing to draw against: no numeric config key varies among the finished "
                      "runs shown. A sweep over the noise rate, the bits or the learning rate has one.");
    set_empty_hint(*plot_, "Nothing to draw against: no numeric config key varies among\n"
                           "the finished runs shown (a sweep over p, the bits or the rate has one).");
    plot_->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  set_empty_hint(*plot_, {});
  response_ = metric_response(table_, keys_->currentData().toULongLong());
  const bool perplexity = table_.metric_name == "perplexity";
  caption_->setText(
      QStringLiteral("The %1 of the %2 finished runs shown against %3: one line for each combination "
                     "of the other keys that vary; runs that differ only by seed are one point, their "
                     "mean, each seed a small dot.")
          .arg(QString::fromStdString(table_.metric_name)).arg(table_.run_ids.size())
          .arg(QString::fromStdString(response_.key)));
  for (size_t index = 0; index < response_.lines.size(); ++index) {
    const auto& line = response_.lines[index];
    const auto colour = palette_colour(index);
    auto* means = plot_->addGraph();
    // In a mixed store a label names many keys: elided to fit a legend column, and
    // numbered, so that two labels elided alike are still told apart.
    means->setName(QFontMetrics(plot_->legend->font())
                       .elidedText(QStringLiteral("%1. %2").arg(index + 1).arg(QString::fromStdString(line.label)),
                                   Qt::ElideRight, std::max(120, plot_->width() / kLegendColumns - 60)));
    means->setPen(QPen(colour, 2));
    means->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, colour, colour, 7));
    auto* seeds = plot_->addGraph();
    seeds->setLineStyle(QCPGraph::lsNone);
    seeds->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, colour, 3));
    seeds->removeFromLegend();
    for (const auto& point : line.points) {
      means->addData(point.x, point.mean);
      if (point.values.size() > 1) {
        for (const double value : point.values) seeds->addData(point.x, value);
      }
    }
  }
  plot_->xAxis->setLabel(QString::fromStdString(response_.key));
  plot_->xAxis->setScaleType(response_.log_scale ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
  plot_->xAxis->setTicker(response_.log_scale ? QSharedPointer<QCPAxisTicker>(new QCPAxisTickerLog)
                                              : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
  plot_->yAxis->setLabel(perplexity ? "perplexity (lower is better, axis reversed)"
                                    : QString::fromStdString(table_.metric_name));
  plot_->yAxis->setRangeReversed(perplexity);
  plot_->rescaleAxes();
  for (auto* axis : {plot_->xAxis, plot_->yAxis}) {  // room around the outermost points
    const auto range = axis->range();
    if (axis->scaleType() == QCPAxis::stLogarithmic) {
      axis->setRange(range.lower / 1.3, range.upper * 1.3);
    } else {
      const double margin = 0.06 * std::max(range.size(), 1e-3 * std::max(1.0, std::abs(range.upper)));
      axis->setRange(range.lower - margin, range.upper + margin);
    }
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace qn::ui
