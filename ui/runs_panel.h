#pragma once

#include <QWidget>
#include <cstdint>
#include <vector>

#include "store/run_store.h"
#include "store_reader.h"

class QComboBox;
class QLineEdit;
class QTableView;

namespace qn::ui {

class RunsFilterProxy;
class RunsTableModel;

// The store's runs as a sortable table with its filters (task, quantizer, any text), and
// the selection in terms of run ids. The rows the filters let through are what the Pareto
// plot shows.
class RunsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit RunsPanel(QWidget* parent = nullptr);

  // Replaces the runs, keeping the filters' choices where they still exist. The caller
  // restores the selection (a model reset clears it).
  void set_runs(RunList runs);
  std::vector<int64_t> selected_run_ids() const;
  // Selects exactly these runs (those filtered out or gone are skipped) and scrolls there.
  void select_runs(const std::vector<int64_t>& run_ids);
  // The runs the filters let through, in the table's order.
  std::vector<const StoredRun*> shown_runs() const;

  RunsTableModel* model() const { return model_; }
  QTableView* view() const { return view_; }
  QLineEdit* text_filter() const { return text_filter_; }
  QComboBox* task_filter() const { return task_filter_; }
  QComboBox* quantizer_filter() const { return quantizer_filter_; }

 Q_SIGNALS:
  void selectionChanged();
  void filtersChanged();
  // A right click on the table, at `global` screen coordinates.
  void contextMenuRequested(QPoint global);

 private:
  void refill_filter_choices();  // the tasks and quantizers the runs have

  RunsTableModel* model_;
  RunsFilterProxy* proxy_;
  QTableView* view_;
  QLineEdit* text_filter_;
  QComboBox* task_filter_;
  QComboBox* quantizer_filter_;
  bool columns_sized_ = false;
};

}  // namespace qn::ui
