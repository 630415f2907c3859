#pragma once

#include <QSortFilterProxyModel>

namespace qn::ui {

// The runs table's filters: a task and a quantizer (exact, as the table shows them; empty
// means any) and a free text matched against every column. The Pareto plot shows the rows
// this lets through.
class RunsFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;

  void set_task(const QString& task);
  void set_quantizer(const QString& quantizer);

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  QString task_, quantizer_;
};

}  // namespace qn::ui
