#pragma once

#include <QList>
#include <QWidget>
#include <memory>

#include "config/run_config.h"
#include "store/sensitivity_store.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QPushButton;
class QSpinBox;

namespace qn::ui {

// A stored per-layer sensitivity table as a heat map (docs/analysis.md, "Layer
// sensitivity and the size solver"): one row per layer, top to bottom as the model runs,
// one column per candidate; a cell's colour is the metric drop of quantizing that layer
// alone that way (red worse, blue better, white none) and its text the drop and the bytes
// it saves. A cell with no measurement (the candidate cannot store the layer, or stores it
// as an earlier one does) stays grey. The window measures new tables with `qnoise
// sensitivity` for the setup panel's config (measureRequested) and reads them from the store.
class SensitivityView : public QWidget {
  Q_OBJECT

 public:
  explicit SensitivityView(QWidget* parent = nullptr);

  // The store's tables (ids, newest first) and the one to draw (null: none stored yet).
  void show_table(const QList<qint64>& ids, std::shared_ptr<const SensitivityTable> table);
  // While a measurement runs: Measure disabled, Cancel enabled, `status` shown.
  void set_measuring(bool measuring, const QString& status);
  const SensitivityTable* table() const { return table_.get(); }
  QCustomPlot* plot() const { return plot_; }
  QPushButton* measure_button() const { return measure_; }
  // `config` as a table is measured here (and a proposal solved): BatchNorm re-estimated from
  // the view's number of batches (quant.batchnorm_batches), evaluated on its number of
  // examples (data.eval_limit), so that a table costs about a second a row on the ConvNet.
  RunConfig measured_config(RunConfig config) const;

 Q_SIGNALS:
  void tableRequested(qint64 id);
  void measureRequested();
  void cancelRequested();

 private:
  void redraw();

  QComboBox* tables_;
  QPushButton* measure_;
  QPushButton* cancel_;
  QSpinBox* batchnorm_batches_;
  QSpinBox* eval_limit_;
  QLabel* status_;
  QLabel* summary_;
  QCustomPlot* plot_;
  std::shared_ptr<const SensitivityTable> table_;
};

}  // namespace qn::ui
