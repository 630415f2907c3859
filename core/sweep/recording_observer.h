#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "store/run_store.h"
#include "train/training_events.h"

namespace qn {

// Records every engine event of one run into the store (loss, lr and examples/s a step;
// eval metrics; the stage and its progress) and passes it on to `next`. Steps are written
// in batches of `batch` (one transaction each, so a long run does not slow training) and at
// least once a second (so live plots and the queue's progress stay live); eval metrics and
// stages at once. The destructor writes what is left.
class RecordingObserver final : public TrainingObserver {
 public:
  RecordingObserver(RunStore& store, int64_t run_id, size_t batch, TrainingObserver* next);
  ~RecordingObserver() override;

  void on_step(const StepEvent& event) override;
  void on_eval(const EvalEvent& event) override;
  void on_stage(const std::string& stage) override;
  void flush();

 private:
  RunStore& store_;
  int64_t run_id_;
  size_t batch_;
  TrainingObserver* next_;
  std::vector<MetricPoint> pending_;
  std::optional<StepEvent> last_step_;  // not yet written as the run's progress
  std::chrono::steady_clock::time_point last_flush_ = std::chrono::steady_clock::now();
};

}  // namespace qn
