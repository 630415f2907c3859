#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileInfo>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextStream>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>

#include "common/runtime.h"
#include "compare_view.h"
#include "config/config_difference.h"
#include "config/run_config.h"
#include "curve_plot.h"
#include "train/run_export.h"
#include "importance_plot.h"
#include "parallel_plot.h"
#include "response_plot.h"
#include "pareto_plot.h"
#include "plot_export.h"
#include "qnoise_job.h"
#include "sensitivity_view.h"
#include "store/run_store.h"
#include "qcustomplot_include.h"
#include "run_controller.h"
#include "run_selection.h"
#include "run_setup_panel.h"
#include "runs_panel.h"
#include "runs_table_model.h"
#include "queue_counts.h"
#include "quick_start.h"
#include "quit_question.h"
#include "resume_banner.h"
#include "sweep/sweep_insight.h"
#include "sweep/sweep_spec.h"
#include "sweep_dialog.h"
#include "byte_format.h"

namespace qn::ui {
namespace {

constexpr int kRefreshMilliseconds = 1000;
constexpr double kFirstStartShare = 0.85;  // of the screen's available width and height
enum Tab { kLiveTab, kParetoTab, kCompareTab, kParallelTab, kImportanceTab, kSensitivityTab, kResponseTab };  // in the order they are added

}  // namespace

MainWindow::MainWindow(const QString& db_path, QWidget* parent) : QMainWindow(parent) {
  selection_ = new RunSelection(this);
  setup_ = new RunSetupPanel;  // it scrolls itself; Run and Sweep stay in view (its footer)
  create_views();
  create_jobs();
  lay_out();
  create_status_bar();
  refresh_timer_ = new QTimer(this);
  refresh_timer_->setInterval(kRefreshMilliseconds);
  connect(refresh_timer_, &QTimer::timeout, this, &MainWindow::reload);
  build_menus();

  connect(setup_, &RunSetupPanel::runRequested, this, &MainWindow::run_config);
  connect(setup_, &RunSetupPanel::sweepRequested, this, &MainWindow::open_sweep_dialog);
  connect(setup_, &RunSetupPanel::targetSizeRequested, this, &MainWindow::propose_mixed_config);
  connect(solve_job_, &QnoiseJob::finished, this, &MainWindow::adopt_proposal);
  connect(selection_, &RunSelection::changed, this, &MainWindow::show_selected_runs);
  connect(runs_, &RunsPanel::filtersChanged, this, &MainWindow::update_run_views);
  connect(runs_, &RunsPanel::contextMenuRequested, this, &MainWindow::show_context_menu);

  QSettings settings;
  if (!restoreGeometry(settings.value("window/geometry").toByteArray())) fit_first_start();
  const auto last = settings.value("setup/last_config").toString().toStdString();
  if (const auto config = parse_stored_config(nlohmann::json::parse(last, nullptr, false))) {
    setup_->set_config(*config);
  }
  open_database(db_path);
  refresh_timer_->start();
}

void MainWindow::create_views() {
  live_ = new CurvePlot;
  pareto_ = new ParetoPlot(selection_);
  compare_ = new CompareView;
  connect(compare_, &CompareView::noiseVariantsRequested, this, &MainWindow::select_noise_variants);
  tabs_ = new QTabWidget;
  tabs_->addTab(live_, "Live");
  tabs_->addTab(pareto_, "Pareto");
  tabs_->addTab(compare_, "Compare");
  parallel_ = new ParallelPlot(selection_);
  importance_ = new ImportancePlot;
  tabs_->addTab(parallel_, "Parallel coordinates");
  tabs_->addTab(importance_, "Importance");
  sensitivity_ = new SensitivityView;
  tabs_->addTab(sensitivity_, "Sensitivity");
  response_ = new ResponsePlot;
  tabs_->addTab(response_, "Response");
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
    if (index == kCompareTab) update_compare();  // kept up to date only while shown
    // Tables a CLI `qnoise sensitivity --db` added since: the one shown is read again.
    if (index == kSensitivityTab) {
      const auto* shown = sensitivity_->table();
      store_->read_sensitivity(shown ? shown->id : std::nullopt);
    }
  });
}

void MainWindow::create_jobs() {
  // The Sensitivity view's and the size solver's `qnoise` processes.
  sensitivity_job_ = new QnoiseJob(this);
  solve_job_ = new QnoiseJob(this);
  connect(sensitivity_, &SensitivityView::measureRequested, this, &MainWindow::measure_sensitivity);
  connect(sensitivity_, &SensitivityView::cancelRequested, sensitivity_job_, &QnoiseJob::cancel);
  connect(sensitivity_, &SensitivityView::tableRequested, this, [this](qint64 id) { store_->read_sensitivity(id); });
  connect(sensitivity_job_, &QnoiseJob::progress, this, [this](const QString& line) {
    sensitivity_->set_measuring(true, "Measuring: " + line);
  });
  connect(sensitivity_job_, &QnoiseJob::failed, this, [this](const QString& message) {
    sensitivity_->set_measuring(false, "No table measured: " + message);
  });
  connect(sensitivity_job_, &QnoiseJob::finished, this, [this](const nlohmann::json& answer) {
    sensitivity_->set_measuring(false, QStringLiteral("Measured in %1 s").arg(answer.value("seconds", 0.0), 0, 'f', 0));
    const auto& id = answer.value("table_id", nlohmann::json());
    store_->read_sensitivity(id.is_number() ? std::optional<int64_t>(id.get<int64_t>()) : std::nullopt);
  });
  connect(solve_job_, &QnoiseJob::progress, this, [this](const QString& line) {
    setup_->show_proposal("Solving: " + line);
  });
  connect(solve_job_, &QnoiseJob::failed, this, [this](const QString& message) {
    setup_->show_proposal("No proposal: " + message);
  });
}

void MainWindow::lay_out() {
  runs_ = new RunsPanel(selection_);
  runs_model_ = runs_->model();

  resume_banner_ = new ResumeBanner;
  connect(resume_banner_, &ResumeBanner::resumeRequested, this, [this] { store_->resume_queue(); });
  auto* runs_with_banner = new QWidget;
  auto* runs_layout = new QVBoxLayout(runs_with_banner);
  runs_layout->setContentsMargins(0, 0, 0, 0);
  runs_layout->addWidget(resume_banner_);
  runs_layout->addWidget(runs_);
  auto* right = new QSplitter(Qt::Vertical);
  right->addWidget(tabs_);
  right->addWidget(runs_with_banner);
  right->setStretchFactor(0, 3);
  right->setStretchFactor(1, 2);
  splitter_ = new QSplitter(Qt::Horizontal);
  splitter_->addWidget(setup_);
  splitter_->addWidget(right);
  splitter_->setStretchFactor(1, 1);
  setCentralWidget(splitter_);
}

void MainWindow::create_status_bar() {
  status_label_ = new QLabel;
  progress_ = new QProgressBar;
  // Wide enough for its longest text on one line ("step 12000/12000  loss 0.123").
  progress_->setMinimumWidth(progress_->fontMetrics().horizontalAdvance("step 000000/000000  loss 0.000") + 40);
  progress_->hide();
  queue_label_ = new QLabel;
  store_busy_label_ = new QLabel("Waiting for the store...");
  store_busy_label_->setToolTip("Another process is writing to the store; your change is made "
                                "as soon as it can be (or explained if it cannot)");
  store_busy_label_->hide();
  statusBar()->addWidget(status_label_, 1);
  statusBar()->addPermanentWidget(store_busy_label_);
  statusBar()->addPermanentWidget(queue_label_);
  statusBar()->addPermanentWidget(progress_);
}

void MainWindow::fit_first_start() {
  // A share of the screen, so that the plots, their legends and the table have room on a
  // laptop and the window does not fill a large monitor; centred.
  const auto available = screen()->availableGeometry();
  const QSize size(static_cast<int>(available.width() * kFirstStartShare),
                   static_cast<int>(available.height() * kFirstStartShare));
  resize(size.expandedTo(minimumSizeHint()).boundedTo(available.size()));
  move(available.center() - rect().center());
  // The setup panel as wide as it likes (its layer table's columns), up to 45% of the
  // window: the plots keep the rest.
  const int panel = std::min(setup_->sizeHint().width() + 24, width() * 45 / 100);
  splitter_->setSizes({panel, width() - panel});
}

MainWindow::~MainWindow() = default;

void MainWindow::open_database(const QString& path) {
  auto* store = new StoreWorker(path, this);
  const bool first = store_ == nullptr;
  connect(store, &StoreWorker::openFailed, this, [this, store, first](const QString& message) {
    QMessageBox::warning(this, "Cannot open the store", message);
    if (!first) store->deleteLater();  // the store shown stays
  });
  // The first store is used at once (what is asked of it waits for it to open); another
  // replaces the one shown only once it has opened.
  if (first) {
    adopt_store(store);
  } else {
    connect(store, &StoreWorker::opened, this, [this, store] { adopt_store(store); });
  }
}

void MainWindow::adopt_store(StoreWorker* store) {
  delete store_;
  store_ = store;
  curves_.clear();
  runs_listed_ = false;
  // Asked a moment after the store opens: a sweep started with the window (the demo) has
  // claimed its first run by then, and its queued runs are not the window's to offer.
  QTimer::singleShot(kResumeOfferDelayMilliseconds, this, [this, store] {
    if (store_ == store) offer_to_resume();
  });
  connect(store_, &StoreWorker::runsRead, this, &MainWindow::apply_runs);
  connect(store_, &StoreWorker::curvesRead, this, &MainWindow::apply_curves);
  connect(store_, &StoreWorker::progressRead, this, &MainWindow::apply_progress);
  connect(store_, &StoreWorker::sensitivityRead, sensitivity_, &SensitivityView::show_table);
  connect(store_, &StoreWorker::failed, this, [this](const QString& message) {
    status_label_->setText("Cannot read the store (what is shown is kept): " + message);
  });
  connect(store_, &StoreWorker::editFailed, this, [this](const QString& action, const QString& message) {
    QMessageBox::warning(this, "Cannot " + action, message);
  });
  connect(store_, &StoreWorker::editingChanged, store_busy_label_, &QLabel::setVisible);
  connect(store_, &StoreWorker::edited, status_label_, &QLabel::setText);
  connect(store_, &StoreWorker::exported, this, [this](const QString& path, qint64 bytes) {
    status_label_->setText(QStringLiteral("Wrote %1 (%2)").arg(path, format_bytes(static_cast<double>(bytes))));
  });
  connect(store_, &StoreWorker::runsQueued, this, [this](const QList<qint64>& ids) {
    controller_->wake();
    status_label_->setText(ids.size() == 1 ? QStringLiteral("Queued run %1").arg(ids.front())
                                           : QStringLiteral("Queued %1 runs").arg(ids.size()));
    select_runs(std::vector<int64_t>(ids.begin(), ids.end()));  // shown once the list has them
  });
  connect(store_, &StoreWorker::queueResumed, this, [this](int requeued) {
    resume_banner_->hide();
    controller_->wake();
    status_label_->setText(QStringLiteral("Resumed the queue (%1 interrupted run%2 queued again)")
                               .arg(requeued).arg(requeued == 1 ? "" : "s"));
  });
  connect(store_, &StoreWorker::sweepsQueued, this, [this](int queued, int configs) {
    controller_->wake();
    status_label_->setText(QStringLiteral("Queued %1 of the sweep's %2 runs (the others are done)")
                               .arg(queued).arg(configs));
  });
  delete controller_;
  controller_ = new RunController(store_->path(), this);
  connect(controller_, &RunController::runsChanged, this, &MainWindow::reload);
  connect(controller_, &RunController::progress, this, [this](qint64 step, qint64 total, double loss) {
    progress_->show();
    progress_->setRange(0, static_cast<int>(total));
    progress_->setValue(static_cast<int>(step));
    // The time left is in the runs table's progress column (from the store).
    progress_->setFormat(QStringLiteral("step %v/%m  loss %1").arg(loss, 0, 'f', 3));
  });
  connect(controller_, &RunController::stage, this, [this](const QString& stage) {
    status_label_->setText("Running: " + stage);
  });
  connect(controller_, &RunController::queueFinished, this, [this](int done, int failed, int cancelled) {
    progress_->hide();
    if (quit_when_idle_) {
      quitting_ = true;
      close();
      return;
    }
    status_label_->setText(QStringLiteral("Queue finished: %1 done, %2 failed, %3 cancelled")
                               .arg(done).arg(failed).arg(cancelled));
  });
  connect(controller_, &RunController::error, this, [this](const QString& message) {
    status_label_->setText("Engine stopped: " + message);
  });
  const auto& path = store_->path();
  QSettings settings;
  auto recent = settings.value("database/recent").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  settings.setValue("database/recent", recent.mid(0, 8));
  setWindowTitle(QStringLiteral("QNStudio - %1").arg(path));
  store_->request({}, /*force_run_list=*/true);
  store_->read_sensitivity(std::nullopt);
}

void MainWindow::reload() {
  store_->request(curves_to_read(/*refresh_unfinished=*/true));
}

void MainWindow::apply_runs(RunList runs) {
  runs_->set_runs(std::move(runs));
  runs_listed_ = true;
  for (auto curve = curves_.begin(); curve != curves_.end();) {  // deleted runs' curves go
    curve = runs_model_->row_of(curve->first) < 0 ? curves_.erase(curve) : std::next(curve);
  }
  update_run_views();
  show_selected_runs();  // runs may have started or ended
  Q_EMIT runsShown();
}

void MainWindow::apply_progress(ProgressMap progress) {
  runs_model_->set_progress(std::move(progress), wall_clock_seconds());
  int running = 0, queued = 0;
  for (const auto& run : runs_model_->runs()) {
    running += run.status == RunStatus::Running;
    queued += run.status == RunStatus::Queued;
  }
  queue_label_->setText(running + queued == 0 ? QString()
                                              : QStringLiteral("Queue: %1 running, %2 queued").arg(running).arg(queued));
}

void MainWindow::apply_curves(const CurveMap& curves) {
  for (const auto& [id, curve] : curves) curves_[id] = curve;
  update_live();
  if (tabs_->currentIndex() == kCompareTab) update_compare();
}

std::vector<int64_t> MainWindow::selected_run_ids() const { return selection_->ids(); }

void MainWindow::select_runs(std::vector<int64_t> run_ids) { selection_->set(std::move(run_ids)); }

void MainWindow::update_run_views() {
  const auto shown = runs_->shown_runs();  // as filtered
  pareto_->set_runs(runs_model_->run_list(), shown);
  std::vector<const StoredRun*> in_plots;  // hidden runs stay out of every plot
  std::copy_if(shown.begin(), shown.end(), std::back_inserter(in_plots),
               [](const StoredRun* run) { return !run->hidden; });
  auto insight = insight_table(in_plots);  // one table for the three views
  importance_->set_table(insight);
  response_->set_table(insight);
  parallel_->set_table(std::move(insight));
}

void MainWindow::select_noise_variants() {
  const auto& runs = runs_model_->runs();
  const auto selected = selected_run_ids();
  const StoredRun* base = nullptr;
  for (const auto& run : runs) {
    const bool chosen = !selected.empty() ? run.id == selected.front()
                                          : run.status == RunStatus::Done && (!base || run.id > base->id);
    if (chosen) base = &run;
  }
  if (!base || !base->config) return;
  const auto key = key_ignoring(*base->config, noise_keys());
  std::vector<int64_t> variants;
  for (const auto& run : runs) {
    if (run.config && key_ignoring(*run.config, noise_keys()) == key) variants.push_back(run.id);
  }
  select_runs(variants);
  show_view("compare");
}

void MainWindow::show_selected_runs() {
  update_live();
  if (tabs_->currentIndex() == kCompareTab) update_compare();
  const auto missing = curves_to_read(/*refresh_unfinished=*/false);
  if (!missing.empty()) store_->request(missing);
}

std::vector<const StoredRun*> MainWindow::selected_runs() const {
  std::vector<const StoredRun*> runs;  // those in the list (a run just queued may not be yet)
  for (const auto id : selected_run_ids()) {
    const int row = runs_model_->row_of(id);
    if (row >= 0) runs.push_back(&runs_model_->run_at(row));
  }
  return runs;
}

std::vector<const StoredRun*> MainWindow::live_runs() const {
  // The running runs and the selected ones; with neither, the latest run.
  const auto selected = selected_run_ids();
  std::vector<const StoredRun*> shown;
  const StoredRun* latest = nullptr;
  for (const auto& run : runs_model_->runs()) {
    const bool is_selected = std::find(selected.begin(), selected.end(), run.id) != selected.end();
    if (is_selected || run.status == RunStatus::Running) shown.push_back(&run);
    if (!latest || run.id > latest->id) latest = &run;
  }
  if (shown.empty() && latest) shown.push_back(latest);
  return shown;
}

std::vector<int64_t> MainWindow::curves_to_read(bool refresh_unfinished) const {
  std::vector<int64_t> ids;
  for (const auto* run : live_runs()) {  // the selected runs (compare's) are among these
    const auto curve = curves_.find(run->id);
    if (curve == curves_.end() || (refresh_unfinished && !curve->second.final)) ids.push_back(run->id);
  }
  return ids;
}

void MainWindow::update_live() { live_->show_runs(live_runs(), curves_); }

void MainWindow::update_compare() { compare_->show_runs(selected_runs(), curves_, runs_model_->runs()); }

bool MainWindow::queue_sweep_file(const QString& path) {
  try {
    const auto spec = read_config_file(path.toStdString());
    expand_sweep(parse_sweep_spec(spec));  // an invalid spec is refused here, before the store
    store_->enqueue_sweeps({spec});
    return true;
  } catch (const std::exception& problem) {
    std::fprintf(stderr, "qnstudio: %s\n", problem.what());
    return false;
  }
}

void MainWindow::show_view(const QString& view) {
  static const std::map<QString, int> tabs = {{"pareto", kParetoTab},
                                              {"compare", kCompareTab},
                                              {"parallel", kParallelTab},
                                              {"importance", kImportanceTab},
                                              {"sensitivity", kSensitivityTab},
                                              {"response", kResponseTab}};
  const auto found = tabs.find(view);
  tabs_->setCurrentIndex(found == tabs.end() ? kLiveTab : found->second);
}

QCustomPlot* MainWindow::current_plot() const {
  switch (tabs_->currentIndex()) {
    case kParetoTab: return pareto_->plot();
    case kCompareTab: return compare_->plot();
    case kParallelTab: return parallel_->plot();
    case kImportanceTab: return importance_->plot();
    case kSensitivityTab: return sensitivity_->plot();
    case kResponseTab: return response_->plot();
    default: return live_->plot();
  }
}

}  // namespace qn::ui
