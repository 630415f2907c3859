#include "sensitivity_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "byte_format.h"
#include "qcustomplot_include.h"
#include "plot_hint.h"

namespace qn::ui {
namespace {

// Blue (the metric improved) through white (no change) to red (it dropped).
QCPColorGradient drop_gradient() {
  QCPColorGradient gradient;
  gradient.setColorStopAt(0, QColor(59, 76, 192));
  gradient.setColorStopAt(0.5, Qt::white);
  gradient.setColorStopAt(1, QColor(200, 30, 40));
  gradient.setNanHandling(QCPColorGradient::nhNanColor);
  gradient.setNanColor(QColor(215, 215, 215));
  return gradient;
}

// " K=4" when PQ stores the layer with fewer centroids than the candidate names (K is
// lowered so that each centroid has at least 4 blocks), else nothing.
QString lowered_k(const SensitivityRow& row) {
  const auto storage = QString::fromStdString(row.storage);
  if (!storage.startsWith("pq K=")) return {};
  const auto k = storage.section(' ', 1, 1);  // "K=4"
  return "pq" + k.mid(2) == QString::fromStdString(row.candidate) ? QString() : " " + k;
}

// Accuracy drops in points (0.012 -> "+1.2 pt"); perplexity drops as they are.
QString drop_text(const SensitivityTable& table, double drop) {
  if (table.metric_name == "accuracy") return QStringLiteral("%1 pt").arg(100 * drop, 0, 'f', 1);
  return QString::number(drop, 'f', 2);
}

}  // namespace

SensitivityView::SensitivityView(QWidget* parent)
    : QWidget(parent),
      tables_(new QComboBox),
      measure_(new QPushButton("Measure")),
      cancel_(new QPushButton("Cancel")),
      status_(new QLabel),
      summary_(new QLabel),
      plot_(new QCustomPlot) {
  measure_->setToolTip("Measures a table for the config of the setup panel with qnoise sensitivity: trains it once "
                       "(or reuses its stored training), then quantizes each layer alone with "
                       "int8, int4 and PQ K = 256, 64, 16 and stores the table in this store");
  cancel_->setEnabled(false);
  batchnorm_batches_ = new QSpinBox;
  batchnorm_batches_->setRange(1, 10000);
  batchnorm_batches_->setValue(10);
  batchnorm_batches_->setToolTip("Training batches that re-estimate BatchNorm in each measurement "
                                 "(quant.batchnorm_batches; a run's default is 100). A proposed "
                                 "config keeps the number, so its run re-estimates as measured.");
  eval_limit_ = new QSpinBox;
  eval_limit_->setRange(0, 10000000);
  eval_limit_->setValue(1000);
  eval_limit_->setSpecialValueText("all");
  eval_limit_->setToolTip("Evaluation examples each measurement scores (data.eval_limit; 0: all). "
                          "A drop within a few examples of 0 is noise.");
  summary_->setWordWrap(true);
  auto* controls = new QHBoxLayout;
  controls->addWidget(new QLabel("Table"));
  controls->addWidget(tables_, 1);
  controls->addWidget(measure_);
  controls->addWidget(cancel_);
  auto* settings = new QHBoxLayout;
  settings->addWidget(new QLabel("BatchNorm batches"));
  settings->addWidget(batchnorm_batches_);
  settings->addWidget(new QLabel("examples"));
  settings->addWidget(eval_limit_);
  settings->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(controls);
  layout->addLayout(settings);
  layout->addWidget(status_);
  layout->addWidget(summary_);
  layout->addWidget(plot_, 1);
  connect(tables_, &QComboBox::activated, this, [this](int index) {
    Q_EMIT tableRequested(tables_->itemData(index).toLongLong());
  });
  connect(measure_, &QPushButton::clicked, this, &SensitivityView::measureRequested);
  connect(cancel_, &QPushButton::clicked, this, &SensitivityView::cancelRequested);
  plot_->xAxis->setLabel("stored as");
  plot_->yAxis->setRangeReversed(true);  // the first layer on top
  plot_->xAxis2->setVisible(true);       // candidates above the map as well
  plot_->xAxis2->setTickLabels(true);
  show_table({}, nullptr);
}

RunConfig SensitivityView::measured_config(RunConfig config) const {
  config.quant.batchnorm_batches = batchnorm_batches_->value();
  config.data.eval_limit = eval_limit_->value();
  return config;
}

void SensitivityView::set_measuring(bool measuring, const QString& status) {
  measure_->setEnabled(!measuring);
  cancel_->setEnabled(measuring);
  status_->setText(status);
}

void SensitivityView::show_table(const QList<qint64>& ids, std::shared_ptr<const SensitivityTable> table) {
  tables_->clear();
  for (const auto id : ids) tables_->addItem(QStringLiteral("table %1").arg(id), id);
  table_ = std::move(table);
  if (table_ && table_->id) tables_->setCurrentIndex(tables_->findData(QVariant::fromValue<qint64>(*table_->id)));
  redraw();
}

void SensitivityView::redraw() {
  plot_->clearPlottables();
  plot_->clearItems();
  for (auto* element : plot_->plotLayout()->elements(false)) {
    if (qobject_cast<QCPColorScale*>(element)) plot_->plotLayout()->remove(element);
  }
  plot_->plotLayout()->simplify();
  if (!table_ || table_->rows.empty()) {
    summary_->setText("No sensitivity table in this store yet. Measure one for the config on the "
                      "left (or run qnoise sensitivity --db on this store).");
    set_empty_hint(*plot_, "No sensitivity table yet: press Measure above for the config\n"
                           "on the left (each layer quantized alone, the others fp32).");
    plot_->replot(QCustomPlot::rpQueuedReplot);
    return;
  }
  set_empty_hint(*plot_, {});
  const auto& table = *table_;
  std::vector<std::string> layers;
  for (const auto& row : table.rows) {
    if (std::find(layers.begin(), layers.end(), row.layer) == layers.end()) layers.push_back(row.layer);
  }
  const auto& candidates = table.candidates;
  const auto task = table.config.value("task", std::string());
  const auto arch = table.config.contains("model") ? table.config["model"].value("arch", std::string()) : "";
  summary_->setText(
      QStringLiteral("%1, %2: %3 measurements of %4 layers; %5 %6 with no layer quantized (%7, "
                     "BatchNorm re-estimated), %8 as trained; measured in %9 s on %10. A cell: the "
                     "drop when that layer alone is stored so, and the bytes that saves.")
          .arg(QString::fromStdString(task), QString::fromStdString(arch))
          .arg(table.rows.size())
          .arg(layers.size())
          .arg(QString::fromStdString(table.metric_name))
          .arg(table.baseline_metric, 0, 'f', 4)
          .arg(QString::fromStdString(table.evaluation_split))
          .arg(table.float_metric, 0, 'f', 4)
          .arg(table.seconds, 0, 'f', 0)
          .arg(QString::fromStdString(table.device)));

  const int columns = static_cast<int>(candidates.size());
  const int rows = static_cast<int>(layers.size());
  auto* map = new QCPColorMap(plot_->xAxis, plot_->yAxis);
  map->data()->setSize(columns, rows);
  map->data()->setRange(QCPRange(0, columns - 1), QCPRange(0, rows - 1));
  map->data()->fill(std::numeric_limits<double>::quiet_NaN());
  double largest = 0;
  for (const auto& row : table.rows) largest = std::max(largest, std::abs(row.metric_drop));
  for (const auto& row : table.rows) {
    const int column = static_cast<int>(std::find(candidates.begin(), candidates.end(), row.candidate) - candidates.begin());
    const int line = static_cast<int>(std::find(layers.begin(), layers.end(), row.layer) - layers.begin());
    map->data()->setCell(column, line, row.metric_drop);
    auto* text = new QCPItemText(plot_);
    text->position->setCoords(column, line);
    text->setText(QStringLiteral("%1%2\n-%3").arg(drop_text(table, row.metric_drop), lowered_k(row),
                                                format_bytes(static_cast<double>(row.bytes_saved))));
    text->setColor(std::abs(row.metric_drop) > 0.6 * largest ? Qt::white : Qt::black);
  }
  map->setGradient(drop_gradient());
  map->setDataRange(QCPRange(-std::max(largest, 1e-9), std::max(largest, 1e-9)));
  map->setInterpolate(false);
  auto* scale = new QCPColorScale(plot_);
  plot_->plotLayout()->addElement(0, 1, scale);
  scale->setGradient(map->gradient());
  scale->setDataRange(map->dataRange());
  scale->axis()->setLabel(QString::fromStdString(table.metric_name) + " drop (positive: worse)");
  map->setColorScale(scale);

  auto candidate_ticks = QSharedPointer<QCPAxisTickerText>::create();
  for (int column = 0; column < columns; ++column) {
    candidate_ticks->addTick(column, QString::fromStdString(candidates[static_cast<size_t>(column)]));
  }
  auto layer_ticks = QSharedPointer<QCPAxisTickerText>::create();
  for (int line = 0; line < rows; ++line) layer_ticks->addTick(line, QString::fromStdString(layers[static_cast<size_t>(line)]));
  plot_->xAxis->setTicker(candidate_ticks);
  plot_->xAxis2->setTicker(candidate_ticks);
  plot_->yAxis->setTicker(layer_ticks);
  plot_->xAxis->setRange(-0.5, columns - 0.5);
  plot_->xAxis2->setRange(-0.5, columns - 0.5);
  plot_->yAxis->setRange(-0.5, rows - 0.5);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace qn::ui
