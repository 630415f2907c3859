#pragma once

#include <QObject>
#include <QString>
#include <QThread>
#include <atomic>
#include <memory>

#include "train/training_events.h"

namespace qn::ui {

// The GUI's one bridge to the engine (docs/architecture.md, Threads): queues runs in the store and
// drains the queue on a worker thread with core's run queue, turning the engine's callbacks
// into queued, rate-limited signals. Widgets read everything else from the store, which
// the engine writes at least once a second. Cancelling goes through the store, so a run
// started by a CLI sweep on the same file can be cancelled too.
class RunController : public QObject {
  Q_OBJECT

 public:
  explicit RunController(QString db_path, QObject* parent = nullptr);
  ~RunController() override;  // stops the queue and waits for the worker

  // Runs were queued: drains the queue, starting the engine thread if it is idle (a
  // running queue takes them anyway).
  void wake();
  bool busy() const;

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
  // Set by wake(), taken by the engine thread before it looks at the queue: a run queued
  // while the thread was finding the queue empty is not left waiting.
  std::atomic<bool> woken_{false};
};

}  // namespace qn::ui
