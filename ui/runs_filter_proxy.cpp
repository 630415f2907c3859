#include "runs_filter_proxy.h"

#include "runs_table_model.h"

namespace qn::ui {

void RunsFilterProxy::set_task(const QString& task) {
  task_ = task;
  invalidateFilter();
}

void RunsFilterProxy::set_quantizer(const QString& quantizer) {
  quantizer_ = quantizer;
  invalidateFilter();
}

bool RunsFilterProxy::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
  const auto cell = [&](int column) {
    return sourceModel()->index(source_row, column, source_parent).data(Qt::DisplayRole).toString();
  };
  if (!task_.isEmpty() && cell(RunsTableModel::Task) != task_) return false;
  if (!quantizer_.isEmpty() && cell(RunsTableModel::Quantizer) != quantizer_) return false;
  return QSortFilterProxyModel::filterAcceptsRow(source_row, source_parent);
}

}  // namespace qn::ui
