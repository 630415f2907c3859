#pragma once

#include <QElapsedTimer>
#include <QMainWindow>
#include <memory>
#include <vector>

#include "store/run_store.h"

class QAction;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class QTableWidget;
class QTimer;

namespace qn::ui {

class CurvePlot;
class ParetoPlot;
class RunController;
class RunSetupPanel;
class RunsTableModel;

// QNStudio's window: the run-setup panel on the left; the live curves, the Pareto front and
// the comparison in tabs; the store's runs in a table below. The table, the curves and the
// Pareto plot share one selection. Everything shown is read from the store, reloaded once
// a second while live refresh is on, so runs of a CLI sweep on the same file appear too.
class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(const QString& db_path, QWidget* parent = nullptr);
  ~MainWindow() override;

  // "live", "pareto" or "compare".
  void show_view(const QString& view);
  // Reads the runs from the store and refreshes every view, keeping the selection; when
  // no run was added, started or ended since, only the live curves are redrawn.
  void reload();
  std::vector<int64_t> selected_run_ids() const;
  void select_runs(const std::vector<int64_t>& run_ids);
  // Selects the runs whose configs equal the selected run's (or the latest done run's) in
  // everything but the noise: "same config, none vs STE vs Quant-Noise".
  void select_noise_variants();

  RunSetupPanel* setup_panel() const { return setup_; }
  RunsTableModel* runs_model() const { return runs_model_; }
  QTableView* runs_view() const { return runs_view_; }
  QLineEdit* runs_filter() const { return runs_filter_; }
  ParetoPlot* pareto() const { return pareto_; }
  CurvePlot* live_curves() const { return live_; }
  RunController* controller() const { return controller_; }

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_menus();
  void open_database(const QString& path);
  void run_config(const nlohmann::json& config);
  void open_sweep_dialog(const nlohmann::json& config);
  void cancel_selected();
  void delete_selected();
  void set_selected_hidden(bool hidden);
  void export_selected(bool decompressed);
  void export_plot();
  void export_table();
  void show_context_menu(const QPoint& position);
  void on_selection_changed();
  void update_compare();
  void update_live();
  void update_pareto();
  void show_about();

  std::unique_ptr<RunStore> store_;
  RunController* controller_ = nullptr;
  RunSetupPanel* setup_;
  QTabWidget* tabs_;
  CurvePlot* live_;
  ParetoPlot* pareto_;
  CurvePlot* compare_curves_;
  QTableWidget* compare_table_;
  RunsTableModel* runs_model_;
  QSortFilterProxyModel* runs_proxy_;
  QTableView* runs_view_;
  QLineEdit* runs_filter_;
  QLabel* status_label_;
  QProgressBar* progress_;
  QTimer* refresh_timer_;
  QAction* live_refresh_;
  QElapsedTimer training_clock_;  // since the running run's current phase began
  bool reloading_ = false;
  std::string runs_signature_;  // of the list last shown; reload() skips an unchanged one
  bool columns_sized_ = false;
};

}  // namespace qn::ui
