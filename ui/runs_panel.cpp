#include "runs_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <set>

#include "run_selection.h"
#include "runs_filter_proxy.h"
#include "runs_table_model.h"

namespace qn::ui {

RunsPanel::RunsPanel(RunSelection* selection, QWidget* parent)
    : QWidget(parent),
      selection_(selection),
      model_(new RunsTableModel(this)),
      proxy_(new RunsFilterProxy(this)),
      view_(new QTableView),
      text_filter_(new QLineEdit),
      task_filter_(new QComboBox),
      quantizer_filter_(new QComboBox) {
  proxy_->setSourceModel(model_);
  proxy_->setSortRole(Qt::UserRole);
  proxy_->setFilterKeyColumn(-1);
  proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
  view_->setModel(proxy_);
  view_->setSortingEnabled(true);
  view_->sortByColumn(RunsTableModel::Id, Qt::DescendingOrder);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setContextMenuPolicy(Qt::CustomContextMenu);
  view_->horizontalHeader()->setStretchLastSection(true);
  view_->horizontalHeader()->setResizeContentsPrecision(50);  // rows looked at to size a column
  view_->verticalHeader()->hide();
  // The user's selection in the table becomes the shared one; the shared one, changed by
  // any view, shows here. Showing it changes the table's selection to what it already is
  // in the shared one, so the echo changes nothing.
  connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    auto shown = rows_selected_in_view();
    auto expected = shown_selection();
    std::sort(shown.begin(), shown.end());
    std::sort(expected.begin(), expected.end());
    // Runs selected but not in the table (filtered out, or not listed yet) stay selected
    // until the user changes the table's selection.
    if (shown != expected) selection_->set(std::move(shown));
  });
  connect(selection_, &RunSelection::changed, this, &RunsPanel::show_selection);
  connect(view_, &QTableView::customContextMenuRequested, this, [this](const QPoint& position) {
    Q_EMIT contextMenuRequested(view_->viewport()->mapToGlobal(position));
  });

  // By task and quantizer (item 0 is "all ..."; the others hold the value they filter by),
  // and a text over every column ("quant-noise", "failed", "p=0.5"...).
  for (auto* combo : {task_filter_, quantizer_filter_}) {
    combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(combo, &QComboBox::currentIndexChanged, this, [this] {
      proxy_->set_task(task_filter_->currentData().toString());
      proxy_->set_quantizer(quantizer_filter_->currentData().toString());
      Q_EMIT filtersChanged();
    });
  }
  text_filter_->setPlaceholderText("Filter runs (any column: ipq, quant-noise, failed, ...)");
  text_filter_->setClearButtonEnabled(true);
  connect(text_filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
    proxy_->setFilterFixedString(text);
    Q_EMIT filtersChanged();
  });

  auto* filters = new QHBoxLayout;
  filters->addWidget(task_filter_);
  filters->addWidget(quantizer_filter_);
  filters->addWidget(text_filter_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(filters);
  layout->addWidget(view_);
}

void RunsPanel::set_runs(RunList runs) {
  model_->set_runs(std::move(runs));  // a model reset clears the table's selection silently
  refill_filter_choices();
  show_selection();
  if (!columns_sized_ && model_->rowCount() > 0) {
    view_->resizeColumnsToContents();  // once
    // The progress column is sized for a long stage's text, not for the runs listed now
    // (often none running): its text grows as a run goes, and is never cut.
    const int progress_width =
        view_->fontMetrics().horizontalAdvance("training 1200/3000, 12 min 30 s left") + 16;
    view_->horizontalHeader()->resizeSection(
        RunsTableModel::Progress,
        std::max(progress_width, view_->horizontalHeader()->sectionSize(RunsTableModel::Progress)));
    columns_sized_ = true;
  }
}

void RunsPanel::refill_filter_choices() {
  const auto refill = [this](QComboBox* combo, const QString& all, int column) {
    std::set<QString> values;
    for (int row = 0; row < model_->rowCount(); ++row) {
      values.insert(model_->index(row, column).data().toString());
    }
    const auto chosen = combo->currentData().toString();
    const QSignalBlocker quiet(combo);  // the filter itself does not change
    combo->clear();
    combo->addItem(all, QString());
    for (const auto& value : values) combo->addItem(value, value);
    combo->setCurrentIndex(std::max(0, combo->findData(chosen)));
  };
  refill(task_filter_, "All tasks", RunsTableModel::Task);
  refill(quantizer_filter_, "All quantizers", RunsTableModel::Quantizer);
}

std::vector<int64_t> RunsPanel::rows_selected_in_view() const {
  std::vector<int64_t> ids;
  for (const auto& index : view_->selectionModel()->selectedRows()) {
    ids.push_back(model_->run_at(proxy_->mapToSource(index).row()).id);
  }
  return ids;
}

QModelIndex RunsPanel::table_index_of(int64_t run_id) const {
  const int row = model_->row_of(run_id);
  return row < 0 ? QModelIndex() : proxy_->mapFromSource(model_->index(row, 0));
}

std::vector<int64_t> RunsPanel::shown_selection() const {
  std::vector<int64_t> ids;
  for (const auto id : selection_->ids()) {
    if (table_index_of(id).isValid()) ids.push_back(id);
  }
  return ids;
}

void RunsPanel::show_selection() {
  QItemSelection selection;
  for (const auto id : shown_selection()) {
    const auto index = table_index_of(id);
    selection.select(index, index);
  }
  view_->selectionModel()->select(selection,
                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  if (!selection.isEmpty()) view_->scrollTo(selection.indexes().first());
}

std::vector<const StoredRun*> RunsPanel::shown_runs() const {
  std::vector<const StoredRun*> shown;
  for (int row = 0; row < proxy_->rowCount(); ++row) {
    shown.push_back(&model_->run_at(proxy_->mapToSource(proxy_->index(row, 0)).row()));
  }
  return shown;
}

}  // namespace qn::ui
