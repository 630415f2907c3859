#include "run_controller.h"

#include <chrono>

#include "common/runtime.h"
#include "store/run_store.h"
#include "sweep/run_queue.h"

namespace qn::ui {
namespace {

constexpr auto kProgressInterval = std::chrono::milliseconds(100);

// Engine callbacks (worker thread) to the controller's signals (delivered queued on the UI
// thread by Qt, since the controller lives there), at most ten step updates a second.
class SignalObserver : public TrainingObserver {
 public:
  explicit SignalObserver(RunController* controller) : controller_(controller) {}

  void on_step(const StepEvent& event) override {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < kProgressInterval && event.step != event.total_steps) return;
    last_ = now;
    Q_EMIT controller_->progress(event.step, event.total_steps, event.loss);
  }
  void on_eval(const EvalEvent&) override { Q_EMIT controller_->runsChanged(); }
  void on_stage(const std::string& stage) override {
    Q_EMIT controller_->stage(QString::fromStdString(stage));
    Q_EMIT controller_->runsChanged();
  }

 private:
  RunController* controller_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

RunController::RunController(QString db_path, QObject* parent)
    : QObject(parent), db_path_(std::move(db_path)) {}

RunController::~RunController() {
  stop_.cancel();
  if (worker_) worker_->wait();
}

void RunController::wake() {
  woken_ = true;
  start_worker();
}

bool RunController::busy() const { return worker_ && worker_->isRunning(); }

void RunController::start_worker() {
  if (busy()) return;  // the running queue will take the new run
  worker_.reset(QThread::create([this] {
    lower_thread_priority();  // training yields the cores to the UI thread whenever it wakes
    try {
      RunStore store(db_path_.toStdString());
      store.mark_interrupted(kStaleHeartbeatSeconds);
      SignalObserver observer(this);
      QueueOptions options;
      options.heartbeat_seconds = 0.5;  // a cancel from the GUI lands within half a second
      QueueSummary total;
      while (woken_.exchange(false) && !stop_.cancelled()) {
        const auto summary = run_queue(store, std::nullopt, &observer, &stop_, options);
        total.done += summary.done;
        total.failed += summary.failed;
        total.cancelled += summary.cancelled;
      }
      Q_EMIT queueFinished(total.done, total.failed, total.cancelled);
    } catch (const std::exception& failure) {
      Q_EMIT error(QString::fromStdString(failure.what()));
    }
    Q_EMIT runsChanged();
  }));
  // Woken after its last look at the flag, as it was ending: start again.
  connect(worker_.get(), &QThread::finished, this, [this] {
    if (woken_ && !stop_.cancelled()) start_worker();
  });
  worker_->start();
}

}  // namespace qn::ui
