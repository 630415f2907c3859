#include "compare_view.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "curve_plot.h"
#include "train/stage_result.h"

namespace qn::ui {
namespace {

// The curves keep room above the table, without raising the window's minimum height (the
// runs table under the views must keep its rows on a 768 px screen).
constexpr int kMinimumCurveHeight = 200;

// The PQ stage metrics of a run's curves, as the store holds them.
std::vector<MetricPoint> stage_metrics(const RunCurve& curve) {
  std::vector<MetricPoint> points;
  for (int i = 0; i < curve.stage_numbers.size(); ++i) {
    points.push_back({static_cast<int64_t>(curve.stage_numbers[i]),
                      after_quantization_name(curve.eval_name), curve.after_quantization[i]});
  }
  for (int i = 0; i < curve.finetuned_stage_numbers.size(); ++i) {
    points.push_back({static_cast<int64_t>(curve.finetuned_stage_numbers[i]),
                      after_finetune_name(curve.eval_name), curve.after_finetune[i]});
  }
  return points;
}

QString describe(const StoredRun& run) {
  if (!run.config) return QStringLiteral("run %1 (unreadable config)").arg(run.id);
  const auto quant = run.config->quant.method;
  const auto noise = run.config->noise.mode;
  const bool plain = quant == QuantMethod::None || noise == NoiseMode::None;
  return QStringLiteral("run %1 (%2%3)")
      .arg(run.id)
      .arg(quant == QuantMethod::None ? QString("fp32") : QString::fromStdString(to_string(quant)))
      .arg(plain ? QString() : ", " + QString::fromStdString(to_string(noise)));
}

}  // namespace

CompareView::CompareView(QWidget* parent)
    : QWidget(parent),
      curves_(new CurvePlot),
      baseline_(new QComboBox),
      table_(new QTableWidget) {
  auto* noise_variants = new QPushButton("Same config: none vs STE vs Quant-Noise");
  noise_variants->setToolTip("Select the runs that differ from the selected one only by noise");
  connect(noise_variants, &QPushButton::clicked, this, &CompareView::noiseVariantsRequested);
  baseline_->setToolTip("The baseline run: every difference is taken against it");
  baseline_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  baseline_->setMinimumContentsLength(12);
  connect(baseline_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
    if (index >= 0 && index < static_cast<int>(baseline_runs_.size())) {
      chosen_baseline_ = baseline_runs_[static_cast<size_t>(index)]->id;
    }
    show_table();
  });
  // Copy and the exports under one button: the bar stays narrow.
  auto* share = new QPushButton("Copy / export");
  auto* share_menu = new QMenu(share);
  share_menu->addAction("&Copy as text (tab-separated, pastes into a spreadsheet)", this, &CompareView::copy_table);
  share_menu->addAction("Export as &CSV...", this, [this] {
    export_table("Export the comparison as CSV", "CSV (*.csv)", comparison_csv);
  });
  share_menu->addAction("Export as &LaTeX...", this, [this] {
    export_table("Export the comparison as a LaTeX table", "LaTeX (*.tex)", comparison_latex);
  });
  share->setMenu(share_menu);

  // Two short rows, not one long one: the window's first start must fit a small screen.
  auto* bar = new QHBoxLayout;
  bar->addWidget(noise_variants);
  bar->addStretch(1);
  auto* table_bar = new QHBoxLayout;
  table_bar->addWidget(new QLabel("Baseline:"));
  table_bar->addWidget(baseline_, 1);
  table_bar->addWidget(share);
  auto* table_box = new QWidget;
  auto* table_layout = new QVBoxLayout(table_box);
  table_layout->setContentsMargins(0, 0, 0, 0);
  table_layout->addLayout(table_bar);
  table_layout->addWidget(table_);

  curves_->setMinimumHeight(kMinimumCurveHeight);
  curves_->set_empty_text("No runs selected. Ctrl-click rows of the runs table or points of the\n"
                          "Pareto plot, or press \"Same config: none vs STE vs Quant-Noise\".");
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionMode(QAbstractItemView::ContiguousSelection);
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(curves_);
  split->addWidget(table_box);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  // The table's size hint grows with its rows: the first layout splits by the stretch
  // factors instead, the curves over three fifths.
  table_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
  split->setSizes({3000, 2000});
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(split, 1);
}

QCustomPlot* CompareView::plot() const { return curves_->plot(); }

void CompareView::show_runs(const std::vector<const StoredRun*>& runs, const CurveMap& curves,
                            const std::vector<StoredRun>& all) {
  curves_->show_runs(runs, curves);
  compared_.clear();
  for (const auto* run : runs) {
    const auto curve = curves.find(run->id);
    compared_.push_back({run, curve == curves.end() ? std::vector<MetricPoint>{} : stage_metrics(curve->second)});
  }
  // The baseline: the user's choice while it is selected, else the default, which joins
  // the comparison even when it is not selected (the fp32 run of the same config).
  const auto in_selection = [&](int64_t id) {
    return std::any_of(runs.begin(), runs.end(), [id](const StoredRun* run) { return run->id == id; });
  };
  if (chosen_baseline_ && !in_selection(*chosen_baseline_)) chosen_baseline_.reset();
  const auto baseline = chosen_baseline_ ? chosen_baseline_ : default_baseline(runs, all);
  if (baseline && !in_selection(*baseline)) {
    const auto found = std::find_if(all.begin(), all.end(), [&](const StoredRun& run) { return run.id == *baseline; });
    if (found != all.end()) compared_.insert(compared_.begin(), {&*found, {}});
  }
  // The box is filled again only when its runs change: the view redraws every second while
  // runs train, and refilling would close the list under the user's pointer.
  std::vector<const StoredRun*> candidates;
  for (const auto& compared : compared_) candidates.push_back(compared.run);
  const auto ids = [](const std::vector<const StoredRun*>& runs) {
    std::vector<int64_t> found;
    for (const auto* run : runs) found.push_back(run->id);
    return found;
  };
  if (ids(candidates) != ids(baseline_runs_)) {
    baseline_->clear();
    for (const auto* run : candidates) baseline_->addItem(describe(*run));
  }
  baseline_runs_ = std::move(candidates);  // the same ids, this run list's rows
  for (size_t i = 0; i < baseline_runs_.size(); ++i) {
    if (baseline && baseline_runs_[i]->id == *baseline) baseline_->setCurrentIndex(static_cast<int>(i));
  }
  show_table();
}

void CompareView::show_table() {
  const int index = baseline_->currentIndex();
  comparison_ = compare_runs(compared_, index >= 0 ? baseline_runs_[static_cast<size_t>(index)]->id : 0);
  const size_t runs = comparison_.run_ids.size();
  table_->clear();
  table_->setColumnCount(static_cast<int>(runs));
  table_->setRowCount(static_cast<int>(comparison_.differing_keys.size() + comparison_.quantities.size()));
  QStringList columns, rows;
  for (size_t i = 0; i < runs; ++i) {
    columns << QStringLiteral("run %1%2").arg(comparison_.run_ids[i]).arg(i == 0 ? " (baseline)" : "");
  }
  int row = 0;
  for (size_t k = 0; k < comparison_.differing_keys.size(); ++k, ++row) {
    rows << QString::fromStdString(comparison_.differing_keys[k]);
    for (size_t i = 0; i < runs; ++i) {
      table_->setItem(row, static_cast<int>(i), new QTableWidgetItem(QString::fromStdString(comparison_.key_values[k][i])));
    }
  }
  for (const auto& quantity : comparison_.quantities) {
    rows << QString::fromStdString(quantity.name);
    const auto& base = quantity.values.front();
    for (size_t i = 0; i < runs; ++i) {
      const auto& value = quantity.values[i];
      QString text = value ? QString::fromStdString(format_value(quantity.kind, *value)) : "-";
      if (i > 0 && value && base) {
        text += "   " + QString::fromStdString(format_difference(quantity.kind, *value, *base));
      }
      auto* item = new QTableWidgetItem(text);
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(row, static_cast<int>(i), item);
    }
    ++row;
  }
  table_->setHorizontalHeaderLabels(columns);
  table_->setVerticalHeaderLabels(rows);
  table_->resizeColumnsToContents();
}

void CompareView::copy_table() {
  QApplication::clipboard()->setText(QString::fromStdString(comparison_tsv(comparison_)));
}

void CompareView::export_table(const QString& title, const QString& filter,
                               std::string (*format)(const RunComparison&)) {
  const auto path = QFileDialog::getSaveFileName(this, title, {}, filter);
  if (path.isEmpty()) return;
  QFile file(path);
  const auto bytes = QByteArray::fromStdString(format(comparison_));
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size()) {
    QMessageBox::warning(this, "Cannot export the comparison",
                         QStringLiteral("Could not write %1: %2").arg(path, file.errorString()));
  }
}

}  // namespace qn::ui
