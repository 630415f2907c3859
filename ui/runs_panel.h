#pragma once

#include <QModelIndex>
#include <QWidget>
#include <cstdint>
#include <vector>

#include "store/run_store.h"
#include "store_worker.h"

class QComboBox;
class QLineEdit;
class QTableView;

namespace qn::ui {

class RunSelection;
class RunsFilterProxy;
class RunsTableModel;

// The store's runs as a sortable table with its filters (task, quantizer, any text). The
// table shows and changes the shared RunSelection. The rows the filters let through are
// what the Pareto plot shows.
class RunsPanel : public QWidget {
  Q_OBJECT

 public:
  RunsPanel(RunSelection* selection, QWidget* parent = nullptr);

  // Replaces the runs, keeping the filters' choices where they still exist and showing
  // the shared selection.
  void set_runs(RunList runs);
  // The runs the filters let through, in the table's order.
  std::vector<const StoredRun*> shown_runs() const;

  RunsTableModel* model() const { return model_; }
  QTableView* view() const { return view_; }
  QLineEdit* text_filter() const { return text_filter_; }
  QComboBox* task_filter() const { return task_filter_; }
  QComboBox* quantizer_filter() const { return quantizer_filter_; }

 Q_SIGNALS:
  void filtersChanged();
  // A right click on the table, at `global` screen coordinates.
  void contextMenuRequested(QPoint global);

 private:
  void refill_filter_choices();  // the tasks and quantizers the runs have
  std::vector<int64_t> rows_selected_in_view() const;
  QModelIndex table_index_of(int64_t run_id) const;  // invalid: not listed, or filtered out
  std::vector<int64_t> shown_selection() const;      // the selected runs the table shows
  // Selects the shared selection's rows that the table shows, and scrolls there.
  void show_selection();

  RunSelection* selection_;
  RunsTableModel* model_;
  RunsFilterProxy* proxy_;
  QTableView* view_;
  QLineEdit* text_filter_;
  QComboBox* task_filter_;
  QComboBox* quantizer_filter_;
  bool columns_sized_ = false;
};

}  // namespace qn::ui
