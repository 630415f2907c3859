#include "sweep/recording_observer.h"

namespace qn {
namespace {

constexpr std::chrono::seconds kFlushEvery{1};

}  // namespace

RecordingObserver::RecordingObserver(RunStore& store, int64_t run_id, size_t batch,
                                     TrainingObserver* next)
    : store_(store), run_id_(run_id), batch_(batch), next_(next) {}

RecordingObserver::~RecordingObserver() {
  try {
    flush();
  } catch (const std::exception&) {  // a failing run's last metrics are not worth a crash
  }
}

void RecordingObserver::on_step(const StepEvent& event) {
  pending_.push_back({event.step, "loss", event.loss});
  pending_.push_back({event.step, "lr", event.lr});
  pending_.push_back({event.step, "examples_per_second", event.examples_per_second});
  last_step_ = event;
  if (pending_.size() >= 3 * batch_ ||
      std::chrono::steady_clock::now() - last_flush_ > kFlushEvery) {
    flush();
  }
  if (next_) next_->on_step(event);
}

void RecordingObserver::on_eval(const EvalEvent& event) {
  pending_.push_back({event.step, event.metric_name, event.metric});
  flush();
  if (next_) next_->on_eval(event);
}

void RecordingObserver::on_stage(const std::string& stage) {
  flush();
  store_.begin_stage(run_id_, stage);
  if (next_) next_->on_stage(stage);
}

void RecordingObserver::flush() {
  store_.add_metrics(run_id_, pending_);
  pending_.clear();
  if (last_step_) store_.set_progress(run_id_, last_step_->step, last_step_->total_steps);
  last_step_.reset();
  last_flush_ = std::chrono::steady_clock::now();
}

}  // namespace qn
