#pragma once

#include <QMainWindow>
#include <memory>
#include <vector>

#include "config/run_config.h"
#include "train/run_export.h"
#include "pareto_plot.h"
#include "store_worker.h"

class QAction;
class QLabel;
class QMenu;
class QSplitter;
class QProgressBar;
class QTabWidget;
class QTimer;

class QCustomPlot;

namespace qn::ui {

class CompareView;
class CurvePlot;
class ImportancePlot;
class ParallelPlot;
class ParetoPlot;
class QnoiseJob;
class ResponsePlot;
class SensitivityView;
class RunController;
class RunSelection;
class RunSetupPanel;
class RunsPanel;
class ResumeBanner;
class RunsTableModel;

// QNStudio's window: the run-setup panel on the left; the live curves, the Pareto front, the
// comparison and the sweep insight views (parallel coordinates, key importance, the metric
// against a key) in tabs; the store's runs in a table below. The table, the curves, the Pareto plot, the parallel
// coordinates and the compare view follow one RunSelection. Everything shown is read from
// the store, reloaded once a second while live refresh is on, so runs of a CLI sweep on
// the same file appear too; every read and edit of the store runs on the StoreWorker's
// thread, never on the UI thread.
class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(const QString& db_path, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Writes a done run's stored checkpoint (.qnz) or its decompressed state dict to `path`
  // and records the file in the store, on the store thread; the status bar says when it
  // is written, a dialog why it could not be.
  void export_run_to(int64_t run_id, const QString& path, ExportFormat format);
  // Queues the selected runs' configs again, as new runs.
  void rerun_selected();
  // Cancels the selected runs: queued ones at once, running ones within about a second.
  void cancel_selected();
  // Deletes the selected runs, their curves and checkpoints, once the user confirms.
  void delete_selected();
  // Queues a sweep spec file's runs and trains them, as the Sweep dialog does; false (with
  // the reason on stderr) if the file cannot be read or the spec is invalid, which is
  // known before the store is touched.
  bool queue_sweep_file(const QString& path);
  // "live", "pareto", "compare", "parallel", "importance", "sensitivity" or "response".
  void show_view(const QString& view);
  // The plot of the view shown (the curves for live and compare, the front for pareto, the
  // lines for parallel, the bars for importance, the heat map for sensitivity, the metric
  // against a key for response): what File >
  // Export plot and qnstudio --plot write.
  QCustomPlot* current_plot() const;
  // Asks the store reader for what changed (the run list, if any run was added, started or
  // ended; the curves of the running and shown runs) and refreshes the views when the
  // answer arrives, keeping the selection. Never waits on the store.
  void reload();
  // Whether a read or an edit of the store is in progress or asked for (its answer not
  // shown yet).
  bool store_busy() const { return store_->reading() || store_->editing(); }
  std::vector<int64_t> selected_run_ids() const;
  void select_runs(std::vector<int64_t> run_ids);
  // Selects the runs whose configs equal the selected run's (or the latest done run's) in
  // everything but the noise: "same config, none vs STE vs Quant-Noise".
  void select_noise_variants();

  RunSetupPanel* setup_panel() const { return setup_; }
  RunsTableModel* runs_model() const { return runs_model_; }
  RunsPanel* runs_panel() const { return runs_; }
  ParetoPlot* pareto() const { return pareto_; }
  ParallelPlot* parallel() const { return parallel_; }
  ImportancePlot* importance() const { return importance_; }
  ResponsePlot* response() const { return response_; }
  SensitivityView* sensitivity() const { return sensitivity_; }
  RunController* controller() const { return controller_; }
  RunSelection* selection() const { return selection_; }
  StoreWorker* store() const { return store_; }

 Q_SIGNALS:
  // A run list read from the store is now shown in every view.
  void runsShown();

 protected:
  // Quitting while this window trains asks what becomes of the runs (ask_how_to_quit).
  void closeEvent(QCloseEvent* event) override;

 private:
  // The constructor's parts: the views as tabs, the `qnoise` jobs, the splitters, the
  // status bar.
  void create_views();
  void create_jobs();
  void lay_out();
  void create_status_bar();
  void build_menus();
  // Without saved geometry (a first start): a share of the screen, centred.
  void fit_first_start();
  // Opens `path` on a new StoreWorker, which replaces the current store once it is open (a
  // store that cannot be opened is explained and the current one kept).
  void open_database(const QString& path);
  void adopt_store(StoreWorker* store);
  void run_config(const RunConfig& config);
  void open_sweep_dialog(const RunConfig& config);
  void set_selected_hidden(bool hidden);
  void export_selected(ExportFormat format);
  void export_plot();
  void export_table();
  void show_context_menu(const QPoint& global_position);
  // The actions on the selected runs (export, compare, re-run, cancel, hide, delete), each
  // enabled where it applies: the runs' context menu and "Selected runs" in File and Run.
  void add_run_actions(QMenu* menu);
  void add_selected_runs_menu(QMenu* menu);
  QString store_folder() const;
  void apply_runs(RunList runs);
  void apply_curves(const CurveMap& curves);
  void apply_progress(ProgressMap progress);
  // Runs whose curves the live and compare views show, and which of them to (re)read:
  // those not read yet and, with `refresh_unfinished`, those still training.
  std::vector<const StoredRun*> live_runs() const;
  std::vector<const StoredRun*> selected_runs() const;
  std::vector<int64_t> curves_to_read(bool refresh_unfinished) const;
  // The live and compare views show the selection (and the running runs); curves they
  // have not read yet are asked for.
  void show_selected_runs();
  void update_compare();
  void update_live();
  // The Pareto, parallel-coordinates, importance and response views: the finished runs as
  // filtered.
  void update_run_views();
  void show_about();
  // Shortly after a store opens: runs waiting that no process takes are offered to resume
  // (or resumed, as chosen).
  void offer_to_resume();
  // Whether the window may close now; otherwise it acts on the user's choice.
  bool confirm_quit();
  // The Sensitivity view's Measure: `qnoise sensitivity --db` on the setup panel's config.
  void measure_sensitivity();
  // The setup panel's Propose: `qnoise solve --db` within `target`; the answer becomes the
  // panel's config, and its prediction a point of the Pareto view.
  void propose_mixed_config(const RunConfig& config, const QStringList& target);
  // qnoise solve's answer: the panel takes the mix, the Pareto view its prediction.
  void adopt_proposal(const nlohmann::json& json);

  // Every read and edit of the store, on its own thread. Set by the constructor (the first
  // store is used at once) and never null after it.
  StoreWorker* store_ = nullptr;
  RunSelection* selection_;
  CurveMap curves_;  // of the runs shown in the live and compare views
  RunController* controller_ = nullptr;
  RunSetupPanel* setup_;
  QSplitter* splitter_;  // the setup panel | the views and the runs
  QTabWidget* tabs_;
  CurvePlot* live_;
  ParetoPlot* pareto_;
  ParallelPlot* parallel_;
  ImportancePlot* importance_;
  SensitivityView* sensitivity_;
  ResponsePlot* response_;
  QnoiseJob* sensitivity_job_;
  QnoiseJob* solve_job_;
  std::vector<SolverPrediction> predictions_;  // this session's proposals
  int64_t evaluated_examples_ = 0;  // data.eval_limit of the config being solved
  CompareView* compare_;
  RunsTableModel* runs_model_;  // runs_'s
  RunsPanel* runs_;
  ResumeBanner* resume_banner_;
  // How long after a store opens the window looks for runs waiting (offer_to_resume).
  static constexpr int kResumeOfferDelayMilliseconds = 2500;
  bool runs_listed_ = false;     // the store shown has sent its run list
  bool quit_when_idle_ = false;  // "Finish first" was chosen
  bool quitting_ = false;        // asked already: close without asking
  QLabel* status_label_;
  QLabel* queue_label_;
  QLabel* store_busy_label_;  // shown while an edit waits for a busy store
  QProgressBar* progress_;
  QTimer* refresh_timer_;
  QAction* live_refresh_;
};

}  // namespace qn::ui
