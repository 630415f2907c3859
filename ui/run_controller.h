#pragma once

#include <QObject>
#include <QString>
#include <QThread>
#include <memory>
#include <nlohmann/json.hpp>

#include "train/training_events.h"

namespace qn::ui {

// The GUI's one bridge to the engine (DESIGN.md section 1): queues runs in the store and
// drains the queue on a worker thread with core's run queue, turning the engine's callbacks
// into queued, rate-limited signals. Widgets read everything else from the store, which
// the engine writes at least once a second. Cancelling goes through the store, so a run
// started by a CLI sweep on the same file can be cancelled too.
class RunController : public QObject {
  Q_OBJECT

 public:
  explicit RunController(QString db_path, QObject* parent = nullptr);
  ~RunController() override;  // stops the queue and waits for the worker

  // Queues a run of `config` (a complete RunConfig) and starts the worker if it is idle.
  // Returns the run's id; InputError if the config is invalid.
  int64_t enqueue(const nlohmann::json& config);
  // Queues a sweep spec's runs (core's enqueue_sweep: configs done in the store are skipped)
  // and starts the worker. Returns how many runs were queued.
  int enqueue_sweep(const nlohmann::json& spec);
  // Queued: cancelled at once; running (here or in another process): stopped within
  // about half a second.
  void cancel(int64_t run_id);
  bool busy() const;
  const QString& database_path() const { return db_path_; }

 Q_SIGNALS:
  // The running run's latest step; at most ten a second.
  void progress(qint64 step, qint64 total_steps, double loss);
  void stage(QString stage);
  // A run was queued, started, ended or cancelled: views reload from the store.
  void runsChanged();
  void queueFinished(int done, int failed, int cancelled);
  void error(QString message);

 private:
  void start_worker();

  QString db_path_;
  std::unique_ptr<QThread> worker_;
  CancelToken stop_;
};

}  // namespace qn::ui
