// MainWindow's menus and the actions on runs (the menu bar, the runs' context menu and
// "Selected runs"), and the exports they start: split from main_window.cpp, which hosts
// the views and the store.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QTextStream>
#include <QTimer>
#include <QUndoStack>
#include <algorithm>

#include "byte_format.h"
#include "common/runtime.h"
#include "main_window.h"
#include "plot_export.h"
#include "qcustomplot_include.h"
#include "quick_start.h"
#include "run_setup_panel.h"
#include "runs_table_model.h"
#include "store_worker.h"

namespace qn::ui {

void MainWindow::build_menus() {
  auto* file = menuBar()->addMenu("&File");
  file->addAction("&Open store...", QKeySequence::Open, this, [this] {
    const auto path = QFileDialog::getOpenFileName(this, "Open a QNStudio store", store_folder(),
                                                   "SQLite stores (*.sqlite *.db);;All files (*)");
    if (!path.isEmpty()) open_database(path);
  });
  file->addAction("Open &PostgreSQL store...", this, [this] {
    // The store many workers share (qnoise worker); the password comes from ~/.pgpass or
    // PGPASSWORD, never from the URI (the engine refuses one there).
    bool accepted = false;
    const auto uri = QInputDialog::getText(
        this, "Open a PostgreSQL store",
        "URI (postgresql://user@host:port/dbname; the password from ~/.pgpass or PGPASSWORD):",
        QLineEdit::Normal, "postgresql://", &accepted);
    if (accepted && !uri.trimmed().isEmpty()) open_database(uri.trimmed());
  });
  file->addAction("&New database...", QKeySequence::New, this, [this] {
    const auto path = QFileDialog::getSaveFileName(this, "New QNStudio store",
                                                   QDir(store_folder()).filePath("runs.sqlite"),
                                                   "SQLite stores (*.sqlite)");
    if (!path.isEmpty()) open_database(path);
  });
  auto* recent = file->addMenu("Open &recent");
  connect(recent, &QMenu::aboutToShow, this, [this, recent] {
    recent->clear();
    for (const auto& path : QSettings().value("database/recent").toStringList()) {
      recent->addAction(path, this, [this, path] { open_database(path); });
    }
  });
  file->addSeparator();
  add_selected_runs_menu(file);
  file->addAction("Export &plot...", QKeySequence("Ctrl+Shift+P"), this, &MainWindow::export_plot);
  file->addAction("Export &table as CSV...", this, &MainWindow::export_table);
  file->addSeparator();
  file->addAction("&Quit", QKeySequence::Quit, this, &QWidget::close);

  auto* edit = menuBar()->addMenu("&Edit");
  auto* undo = setup_->undo_stack()->createUndoAction(this, "&Undo");
  undo->setShortcut(QKeySequence::Undo);
  auto* redo = setup_->undo_stack()->createRedoAction(this, "&Redo");
  redo->setShortcut(QKeySequence::Redo);
  edit->addActions({undo, redo});

  auto* run = menuBar()->addMenu("&Run");
  auto* run_action = run->addAction("&Run", QKeySequence("Ctrl+R"), this, [this] {
    if (setup_->ready()) run_config(setup_->config());
  });
  run_action->setStatusTip("Queue a run of the configuration on the left");
  run->addAction("&Sweep...", QKeySequence("Ctrl+Shift+R"), this, [this] {
    if (setup_->ready()) open_sweep_dialog(setup_->config());
  });
  run->addAction("&Cancel selected runs", QKeySequence("Ctrl+."), this, &MainWindow::cancel_selected);
  add_selected_runs_menu(run);
  run->addSeparator();
  live_refresh_ = run->addAction("&Live refresh");
  live_refresh_->setCheckable(true);
  live_refresh_->setChecked(true);
  connect(live_refresh_, &QAction::toggled, this, [this](bool on) {
    on ? refresh_timer_->start() : refresh_timer_->stop();
  });

  auto* view = menuBar()->addMenu("&View");
  view->addAction("&Live", QKeySequence("Ctrl+1"), this, [this] { show_view("live"); });
  view->addAction("&Pareto", QKeySequence("Ctrl+2"), this, [this] { show_view("pareto"); });
  view->addAction("&Compare", QKeySequence("Ctrl+3"), this, [this] { show_view("compare"); });
  view->addAction("P&arallel coordinates", QKeySequence("Ctrl+4"), this, [this] { show_view("parallel"); });
  view->addAction("&Importance", QKeySequence("Ctrl+5"), this, [this] { show_view("importance"); });
  view->addAction("&Sensitivity", QKeySequence("Ctrl+6"), this, [this] { show_view("sensitivity"); });
  view->addAction("&Response", QKeySequence("Ctrl+7"), this, [this] { show_view("response"); });

  auto* help = menuBar()->addMenu("&Help");
  help->addAction("&Quick start", QKeySequence::HelpContents, this, [this] { show_quick_start(this); });
  help->addAction("&About QNStudio", this, &MainWindow::show_about);
}

QString MainWindow::store_folder() const {
  // The folder of the store shown (a file dialog opens there, beside it); a server's
  // store has none.
  const auto& path = store_ ? store_->path() : QString();
  return path.startsWith("postgres") ? QString() : QFileInfo(path).absolutePath();
}

void MainWindow::add_selected_runs_menu(QMenu* menu) {
  auto* selected = menu->addMenu("Selected r&uns");
  connect(selected, &QMenu::aboutToShow, this, [this, selected] {
    selected->clear();
    add_run_actions(selected);
  });
}

void MainWindow::export_selected(ExportFormat format) {
  const auto ids = selected_run_ids();
  if (ids.size() != 1) return;
  const bool qnz = format == ExportFormat::Qnz;
  const auto path = QFileDialog::getSaveFileName(
      this, "Export run " + QString::number(ids[0]) + " as " + QString::fromStdString(to_string(format)),
      QStringLiteral("run-%1%2.%3")
          .arg(ids[0])
          .arg(format == ExportFormat::TorchScriptFloat ? "-float" : "")
          .arg(qnz ? "qnz" : "pt"));
  if (!path.isEmpty()) export_run_to(ids[0], path, format);
}

void MainWindow::export_run_to(int64_t run_id, const QString& path, ExportFormat format) {
  store_->export_run(run_id, path, format);
}

void MainWindow::export_plot() {
  auto* plot = current_plot();
  QString filter = "PNG image (*.png)";
  const auto path = QFileDialog::getSaveFileName(this, "Export the plot shown", "plot.png",
                                                 "PNG image (*.png);;SVG vector image (*.svg);;PDF (*.pdf)",
                                                 &filter);
  if (path.isEmpty()) return;
  QString error;
  if (qn::ui::export_plot(*plot, path, &error)) {
    status_label_->setText("Wrote " + path);
  } else {
    QMessageBox::warning(this, "Cannot export the plot", error);
  }
}

void MainWindow::export_table() {
  const auto path = QFileDialog::getSaveFileName(this, "Export runs", "runs.csv", "CSV (*.csv)");
  if (path.isEmpty()) return;
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    status_label_->setText("Could not write " + path);
    return;
  }
  QTextStream out(&file);
  runs_model_->write_csv(out);
  status_label_->setText("Wrote " + path);
}

void MainWindow::show_context_menu(const QPoint& global_position) {
  if (selected_run_ids().empty()) return;
  QMenu menu(this);
  add_run_actions(&menu);
  menu.exec(global_position);
}

void MainWindow::add_run_actions(QMenu* menu) {
  // Each action enabled only where it applies to the selection as it is now.
  const auto runs = selected_runs();
  const auto any = [&runs](auto predicate) { return std::any_of(runs.begin(), runs.end(), predicate); };
  const bool one_done = runs.size() == 1 && runs[0]->status == RunStatus::Done;
  const QString why_not_export = runs.size() == 1 ? "Only a done run has a model to export"
                                                  : "Select one done run to export";
  // Each format with the size it writes, so that which one is small is plain.
  const auto& result = one_done ? runs[0]->result : std::nullopt;
  const auto size = [&result](bool compressed, const QString& beside = {}) {
    if (!result) return QString();
    return " (" + format_bytes(double(compressed ? result->size_bytes : result->fp32_size_bytes)) +
           beside + ")";
  };
  const std::vector<std::pair<QString, ExportFormat>> formats = {
      {"&Export compressed .qnz" + size(true) + "...", ExportFormat::Qnz},
      {"Export &TorchScript, computing from the codes" + size(true, " + its code") + "...",
       ExportFormat::TorchScript},
      {"Export TorchScript, &decoded fp32" + size(false) + "...", ExportFormat::TorchScriptFloat},
      {"Export fp32 state d&ict" + size(false) + "...", ExportFormat::Float}};
  for (const auto& [label, format] : formats) {
    auto* action = menu->addAction(label, this, [this, format = format] { export_selected(format); });
    action->setEnabled(one_done);
    if (!one_done) action->setToolTip(why_not_export);
  }
  menu->addAction("Open in c&ompare", this, [this] { show_view("compare"); })->setEnabled(!runs.empty());
  auto* use_config = menu->addAction("&Use this config", this, [this] {
    const int row = runs_model_->row_of(selected_run_ids().front());
    if (row >= 0 && runs_model_->config_at(row)) setup_->set_config(*runs_model_->config_at(row));
  });
  use_config->setEnabled(runs.size() == 1 && runs_model_->config_at(runs_model_->row_of(runs[0]->id)).has_value());
  menu->addSeparator();
  menu->addAction("Re-&run", this, &MainWindow::rerun_selected)->setEnabled(!runs.empty());
  menu->addAction("&Cancel", this, &MainWindow::cancel_selected)->setEnabled(any([](const StoredRun* run) {
    return run->status == RunStatus::Queued || run->status == RunStatus::Running;
  }));
  menu->addAction("&Hide from plots", this, [this] { set_selected_hidden(true); })
      ->setEnabled(any([](const StoredRun* run) { return !run->hidden; }));
  menu->addAction("&Show in plots", this, [this] { set_selected_hidden(false); })
      ->setEnabled(any([](const StoredRun* run) { return run->hidden; }));
  menu->addAction("De&lete...", this, &MainWindow::delete_selected)->setEnabled(!runs.empty());
}

void MainWindow::show_about() {
  QMessageBox::about(this, "About QNStudio",
                     QStringLiteral("<b>QNStudio %1</b><br>Extreme model compression with "
                                    "Quant-Noise (Fan, Stock et al., 2020).<br><br>Qt %2<br>%3<br>"
                                    "Compute device: %4")
                         .arg(QApplication::applicationVersion(), qVersion(),
                              QString::fromStdString(libtorch_version()),
                              QString::fromStdString(describe_resolved_device("auto"))));
}

}  // namespace qn::ui
