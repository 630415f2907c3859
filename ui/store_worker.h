#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QThread>
#include <QVector>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "train/run_export.h"
#include "store/run_store.h"
#include "store/sensitivity_store.h"

namespace qn::ui {

// The run list as read at one moment, shared by the table, the plots and the views
// without copying the configs.
using RunList = std::shared_ptr<const std::vector<StoredRun>>;

// A run's curves against step: the training loss; the metric (accuracy or perplexity) of
// the model in training, where it was evaluated (train.eval_every, and at the end of
// training); the compressed model's metric, at the end; and PQ's stage metrics.
struct RunCurve {
  QVector<double> steps, losses;
  QVector<double> float_steps, float_values;
  QVector<double> eval_steps, eval_values;
  // PQ and iPQ: the metric right after each stage was quantized, and after its fine-tuning,
  // by stage number (1-based).
  QVector<double> stage_numbers, after_quantization;
  QVector<double> finetuned_stage_numbers, after_finetune;
  std::string eval_name;  // "accuracy" or "perplexity"; empty before any evaluation
  // The training's pace over its last steps (images, or tokens, a second); 0 before any.
  double examples_per_second = 0;
  bool final = false;  // the run has ended: these curves no longer change
};
using CurveMap = std::map<int64_t, RunCurve>;
using ProgressMap = std::map<int64_t, RunProgress>;

// The window's only connection to the store, on a thread of its own: every read and every
// write the GUI makes goes through it, so the UI thread never waits on SQLite, not on a
// query over hundreds of runs, not on a lock held by a sweep in another process (a write
// waits up to the store's busy timeout here, while the window stays live).
//
// Reads: a request asks for the run list (read only when the store's runs_signature
// changed, or when forced), the running runs' progress, and the curves of some runs;
// requests made while one is being read are merged into the next. Edits (queue runs or
// sweeps, cancel, hide, delete, export) run in the order they were asked, each in its own
// transaction; each ends with a signal saying what it did or why it could not. Answers
// arrive as signals on the thread that created the worker.
class StoreWorker : public QObject {
  Q_OBJECT

 public:
  // Opens `db_path` on the store thread: opened() or openFailed() follows. Runs left
  // running by a process that is gone are marked interrupted then, so that the first run
  // list says which runs wait.
  explicit StoreWorker(QString db_path, QObject* parent = nullptr);
  ~StoreWorker() override;  // waits for the operation in progress

  const QString& path() const { return db_path_; }

  void request(const std::vector<int64_t>& curve_run_ids, bool force_run_list = false);
  // Whether a read is in progress or asked for (its answer not shown yet).
  bool reading() const { return in_flight_ || pending_; }
  // Whether an edit is waiting for the store.
  bool editing() const { return edits_in_flight_ > 0; }

  void enqueue_runs(std::vector<RunConfig> configs);           // then runsQueued
  void enqueue_sweeps(std::vector<nlohmann::json> specs);      // then sweepsQueued
  void cancel_runs(std::vector<int64_t> run_ids);              // then edited
  // Interrupted runs go back to the queue, whatever their attempts (the user asks for
  // it): then queueResumed.
  void resume_queue();
  void remove_runs(std::vector<int64_t> run_ids);              // then edited
  void set_hidden(std::vector<int64_t> run_ids, bool hidden);  // then edited
  void export_run(int64_t run_id, QString path, ExportFormat format);  // then exported
  // Reads the ids of the store's sensitivity tables and the table `id` names (the newest
  // when none is named): then sensitivityRead, or failed.
  void read_sensitivity(std::optional<int64_t> id);

 Q_SIGNALS:
  void opened();
  void openFailed(QString message);
  // The run list changed since the last one sent (or a read was forced).
  void runsRead(qn::ui::RunList runs);
  // Curves of the runs asked for (those with no row any more are left out).
  void curvesRead(qn::ui::CurveMap curves);
  // The progress of every running run (empty when none runs).
  void progressRead(qn::ui::ProgressMap progress);
  // A read failed (locked past its timeout, vanished, corrupt): what is shown stays.
  void failed(QString message);
  // A read ended, whatever it found.
  void idle();
  // The stored sensitivity tables' ids, newest first, and the one asked for (null if none).
  void sensitivityRead(QList<qint64> ids, std::shared_ptr<const qn::SensitivityTable> table);

  void runsQueued(QList<qint64> run_ids);
  void queueResumed(int requeued);
  void sweepsQueued(int queued, int configs);
  void exported(QString path, qint64 bytes);
  // An edit that changed the store; the run list is read again after it.
  void edited(QString what);
  // An edit that could not be made (`action` says which: "queue the run", "delete runs"...).
  void editFailed(QString action, QString message);
  // An edit started waiting for the store, or the last one ended.
  void editingChanged(bool editing);

 private:
  struct Request {
    std::vector<int64_t> curve_run_ids;
    bool force_run_list = false;
  };
  void start(Request request);        // UI thread
  void read(const Request& request);  // store thread
  // What an edit that succeeded says, on the UI thread: one of the signals above.
  using Announcement = std::function<void()>;
  // Runs `edit` on the store thread, then its announcement, or editFailed(action, ...) for
  // its exception; then reads the run list again.
  void post_edit(QString action, std::function<Announcement(RunStore&)> edit);
  Announcement say(QString what);  // edited(what)
  void reap_interrupted_runs();  // store thread
  // The connection, opened on first use (and again after a failed read). Store thread.
  RunStore& store();
  // Runs `job` on the store thread, then `done` back on this object's thread.
  void post(std::function<void()> job, std::function<void()> done);

  QString db_path_;
  QThread thread_;
  QObject* store_context_;  // lives in thread_: what runs there is posted to it
  std::unique_ptr<RunStore> store_;  // opened, used and closed on thread_ only
  std::string signature_;            // of the run list last sent; store thread only
  bool in_flight_ = false;
  std::optional<Request> pending_;
  int edits_in_flight_ = 0;
};

}  // namespace qn::ui
