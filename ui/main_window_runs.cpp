// MainWindow's runs: queueing, re-running, cancelling, hiding and deleting them, the
// Sensitivity view's and the size solver's `qnoise` jobs, and the queue's lifecycle when
// a store opens (resume) and when the window quits: split from main_window.cpp.
#include <QCloseEvent>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>

#include "byte_format.h"
#include "config/run_config.h"
#include "main_window.h"
#include "pareto_plot.h"
#include "qnoise_job.h"
#include "queue_counts.h"
#include "quit_question.h"
#include "resume_banner.h"
#include "run_controller.h"
#include "run_setup_panel.h"
#include "runs_table_model.h"
#include "sensitivity_view.h"
#include "store_worker.h"
#include "sweep_dialog.h"
#include "train/solver_answer.h"

namespace qn::ui {

void MainWindow::measure_sensitivity() {
  if (!setup_->ready()) {
    sensitivity_->set_measuring(false, "The config on the left cannot run: " + setup_->status_text());
    return;
  }
  if (sensitivity_job_->start({"sensitivity", "--db", store_->path()},
                              sensitivity_->measured_config(setup_->config()))) {
    sensitivity_->set_measuring(true, "Measuring: starting qnoise sensitivity...");
  }
}

void MainWindow::adopt_proposal(const nlohmann::json& json) {
  // An answer this window cannot read (a qnoise of another version) is said, not thrown.
  try {
    const auto answer = parse_solver_answer(json);
    // The proposal is evaluated as the panel's config was (all examples, or its own limit);
    // BatchNorm is re-estimated as measured.
    auto proposed = answer.config;
    proposed.data.eval_limit = evaluated_examples_;
    setup_->set_config(proposed);
    predictions_.push_back({config_hash(to_json(setup_->config())), answer.predicted_bytes, answer.predicted_metric});
    pareto_->set_predictions(predictions_);
    setup_->show_proposal(
        QStringLiteral("Proposed: %1 (x%2), predicted %3 %4 against %5 with no layer quantized "
                       "(on the examples the table was measured on). "
                       "The layers' \"stored as\" show the choice; Run measures it, and the Pareto "
                       "view joins the prediction (hollow square) to the result.")
            .arg(format_bytes(static_cast<double>(answer.predicted_bytes)))
            .arg(static_cast<double>(answer.fp32_size_bytes) / static_cast<double>(answer.predicted_bytes), 0, 'f', 1)
            .arg(QString::fromStdString(answer.metric_name))
            .arg(answer.predicted_metric, 0, 'f', 4)
            .arg(answer.baseline_metric, 0, 'f', 4));
  } catch (const std::exception& problem) {
    setup_->show_proposal(QStringLiteral("No proposal: qnoise solve's answer cannot be read (%1)")
                              .arg(QString::fromUtf8(problem.what())));
  }
}

void MainWindow::propose_mixed_config(const RunConfig& config, const QStringList& target) {
  // Solved on the table the Sensitivity view measures (or would) for this config.
  evaluated_examples_ = config.data.eval_limit;
  if (solve_job_->start(QStringList{"solve", "--db", store_->path()} + target,
                        sensitivity_->measured_config(config))) {
    setup_->show_proposal("Solving: starting qnoise solve...");
  }
}

void MainWindow::run_config(const RunConfig& config) {
  QSettings().setValue("setup/last_config", QString::fromStdString(to_json(config).dump()));
  store_->enqueue_runs({config});
}

void MainWindow::open_sweep_dialog(const RunConfig& config) {
  SweepDialog dialog(config, this);
  if (dialog.exec() == QDialog::Accepted) store_->enqueue_sweeps(dialog.specs());
}

void MainWindow::rerun_selected() {
  std::vector<RunConfig> configs;
  for (const auto id : selected_run_ids()) {
    const int row = runs_model_->row_of(id);
    if (row >= 0 && runs_model_->config_at(row)) configs.push_back(*runs_model_->config_at(row));
  }
  if (!configs.empty()) store_->enqueue_runs(std::move(configs));
}

void MainWindow::cancel_selected() {
  store_->cancel_runs(selected_run_ids());
}

void MainWindow::delete_selected() {
  const auto ids = selected_run_ids();
  if (ids.empty()) return;
  if (QMessageBox::question(this, "Delete runs",
                            QStringLiteral("Delete %1 run(s), their curves and checkpoints?")
                                .arg(ids.size())) != QMessageBox::Yes) {
    return;
  }
  store_->remove_runs(ids);
}

void MainWindow::set_selected_hidden(bool hidden) {
  store_->set_hidden(selected_run_ids(), hidden);
}

void MainWindow::offer_to_resume() {
  if (!runs_listed_) {  // a slow store (a remote server): ask once its runs are known
    QTimer::singleShot(kResumeOfferDelayMilliseconds, this, [this, store = store_] {
      if (store_ == store) offer_to_resume();
    });
    return;
  }
  const auto counts = count_queue(runs_model_->runs());
  // A run running is another process at work on this store (the window reaped those of
  // gone processes when it opened it): it takes the queue; nothing is offered.
  if (counts.waiting() == 0 || counts.running > 0) return;
  if (ResumeBanner::resumes_at_start()) {
    store_->resume_queue();
  } else {
    resume_banner_->offer(counts);
  }
}

bool MainWindow::confirm_quit() {
  if (quitting_ || !controller_ || !controller_->busy()) return true;
  switch (ask_how_to_quit(this, count_queue(runs_model_->runs()))) {
    case QuitChoice::LeaveQueued:
      return true;  // the controller, destroyed, interrupts its run
    case QuitChoice::FinishFirst:
      quit_when_idle_ = true;
      status_label_->setText("QNStudio quits once the queue has finished (Run > Cancel selected "
                             "runs stops a run; closing again asks again)");
      return false;
    case QuitChoice::CancelRuns: {
      std::vector<int64_t> ids;
      for (const auto& run : runs_model_->runs()) {
        if (run.status == RunStatus::Running || run.status == RunStatus::Queued) ids.push_back(run.id);
      }
      // Quit once the store has the cancels (the controller's runs then end as cancelled).
      connect(store_, &StoreWorker::edited, this, [this] {
        quitting_ = true;
        close();
      }, Qt::SingleShotConnection);
      store_->cancel_runs(ids);
      return false;
    }
    case QuitChoice::StayOpen:
      return false;
  }
  return false;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!confirm_quit()) {
    event->ignore();
    return;
  }
  quit_when_idle_ = false;
  QSettings settings;
  settings.setValue("window/geometry", saveGeometry());
  settings.setValue("setup/last_config", QString::fromStdString(to_json(setup_->config()).dump()));
  QMainWindow::closeEvent(event);
}

}  // namespace qn::ui
