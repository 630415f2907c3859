#pragma once

#include <QMainWindow>
#include <functional>
#include <memory>
#include <vector>

#include "io/run_export.h"
#include "store/run_store.h"
#include "store_reader.h"

class QAction;
class QLabel;
class QProgressBar;
class QTabWidget;
class QTimer;

namespace qn::ui {

class CompareView;
class CurvePlot;
class ParetoPlot;
class RunController;
class RunSetupPanel;
class RunsPanel;
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

  // Writes a done run's stored checkpoint (.qnz) or its decompressed state dict to `path`
  // and records the file in the store; a failure is explained in a dialog.
  bool export_run_to(int64_t run_id, const QString& path, ExportFormat format);
  // Queues the selected runs' configs again, as new runs.
  void rerun_selected();
  // Queues a sweep spec file's runs and trains them, as the Sweep dialog does; false (with
  // the reason on stderr) if the file cannot be read or the spec is invalid.
  bool queue_sweep_file(const QString& path);
  // "live", "pareto" or "compare".
  void show_view(const QString& view);
  // Asks the store reader for what changed (the run list, if any run was added, started or
  // ended; the curves of the running and shown runs) and refreshes the views when the
  // answer arrives, keeping the selection. Never waits on the store.
  void reload();
  // Whether a read of the store is in progress or asked for (its answer not shown yet).
  bool reading_store() const { return reader_ && reader_->busy(); }
  std::vector<int64_t> selected_run_ids() const;
  void select_runs(const std::vector<int64_t>& run_ids);
  // Selects the runs whose configs equal the selected run's (or the latest done run's) in
  // everything but the noise: "same config, none vs STE vs Quant-Noise".
  void select_noise_variants();

  RunSetupPanel* setup_panel() const { return setup_; }
  RunsTableModel* runs_model() const { return runs_model_; }
  RunsPanel* runs_panel() const { return runs_; }
  ParetoPlot* pareto() const { return pareto_; }
  CurvePlot* live_curves() const { return live_; }
  RunController* controller() const { return controller_; }

 Q_SIGNALS:
  // A run list read from the store is now shown in every view.
  void runsShown();

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void build_menus();
  void open_database(const QString& path);
  void run_config(const nlohmann::json& config);
  void open_sweep_dialog(const nlohmann::json& config);
  // Runs a user's change of the store (delete, hide), says why if it fails, then reloads.
  void edit_store(const std::function<void()>& edit);
  void cancel_selected();
  void delete_selected();
  void set_selected_hidden(bool hidden);
  void export_selected(bool decompressed);
  void export_plot();
  void export_table();
  void show_context_menu(const QPoint& global_position);
  void apply_runs(RunList runs);
  void apply_curves(const CurveMap& curves);
  void apply_progress(ProgressMap progress);
  // Runs whose curves the live and compare views show, and which of them to (re)read:
  // those not read yet and, with `refresh_unfinished`, those still training.
  std::vector<const StoredRun*> live_runs() const;
  std::vector<const StoredRun*> selected_runs() const;
  std::vector<int64_t> curves_to_read(bool refresh_unfinished) const;
  void on_selection_changed();
  void update_compare();
  void update_live();
  void update_pareto();
  void show_about();

  std::unique_ptr<RunStore> store_;  // the UI thread's connection, for user edits and exports
  StoreReader* reader_ = nullptr;    // every periodic read, on its own thread
  CurveMap curves_;                  // of the runs shown in the live and compare views
  RunController* controller_ = nullptr;
  RunSetupPanel* setup_;
  QTabWidget* tabs_;
  CurvePlot* live_;
  ParetoPlot* pareto_;
  CompareView* compare_;
  RunsTableModel* runs_model_;  // runs_'s
  RunsPanel* runs_;
  QLabel* status_label_;
  QLabel* queue_label_;
  QProgressBar* progress_;
  QTimer* refresh_timer_;
  QAction* live_refresh_;
  bool applying_runs_ = false;  // selection changes while a new list is put in place
  std::vector<int64_t> select_when_shown_;  // a queued run, selected once the list has it
};

}  // namespace qn::ui
