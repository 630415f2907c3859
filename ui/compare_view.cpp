#include "compare_view.h"

#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <map>

#include "config/config_difference.h"
#include "curve_plot.h"
#include "runs_table_model.h"

namespace qn::ui {
namespace {

// The table repeats these columns of the runs table after the differing keys.
constexpr RunsTableModel::Column kResultColumns[] = {RunsTableModel::Metric, RunsTableModel::Size,
                                                     RunsTableModel::Compression};

}  // namespace

CompareView::CompareView(QWidget* parent)
    : QWidget(parent), curves_(new CurvePlot), table_(new QTableWidget) {
  auto* noise_variants = new QPushButton("Same config: none vs STE vs Quant-Noise");
  noise_variants->setToolTip("Select the runs that differ from the selected one only by noise");
  connect(noise_variants, &QPushButton::clicked, this, &CompareView::noiseVariantsRequested);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(noise_variants, 0, Qt::AlignLeft);
  layout->addWidget(curves_, 3);
  layout->addWidget(table_, 2);
}

QCustomPlot* CompareView::plot() const { return curves_->plot(); }

void CompareView::show_runs(const std::vector<const StoredRun*>& runs, const CurveMap& curves,
                            const RunsTableModel& model) {
  curves_->show_runs(runs, curves);
  std::vector<const nlohmann::json*> configs;
  std::vector<std::map<std::string, std::string>> flat;
  for (const auto* run : runs) {
    configs.push_back(&run->config);
    flat.push_back(flatten_config(run->config));
  }
  const auto differing = differing_keys(configs);
  const int key_rows = static_cast<int>(differing.size());
  table_->clear();
  table_->setColumnCount(static_cast<int>(runs.size()));
  table_->setRowCount(key_rows + static_cast<int>(std::size(kResultColumns)));
  QStringList columns, rows;
  for (const auto* run : runs) columns << QStringLiteral("run %1").arg(run->id);
  for (const auto& key : differing) rows << QString::fromStdString(key);
  for (const auto column : kResultColumns) rows << model.headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
  table_->setHorizontalHeaderLabels(columns);
  table_->setVerticalHeaderLabels(rows);
  for (size_t column = 0; column < runs.size(); ++column) {
    const int table_column = static_cast<int>(column);
    for (int row = 0; row < key_rows; ++row) {
      const auto& value = flat[column][differing[static_cast<size_t>(row)]];
      table_->setItem(row, table_column, new QTableWidgetItem(QString::fromStdString(value)));
    }
    const int model_row = model.row_of(runs[column]->id);
    int row = key_rows;
    for (const auto result_column : kResultColumns) {
      const auto text = model.index(model_row, result_column).data(Qt::DisplayRole).toString();
      table_->setItem(row++, table_column, new QTableWidgetItem(text));
    }
  }
}

}  // namespace qn::ui
