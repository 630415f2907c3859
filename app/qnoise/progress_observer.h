#pragma once

#include <memory>

#include "progress.h"
#include "train/training_events.h"

namespace qn::cli {

// Engine events as a progress bar (or plain lines) on stderr, with each PQ or iPQ stage's
// metric as it is measured.
class ProgressObserver final : public TrainingObserver {
 public:
  void on_stage(const std::string& stage) override;
  void on_step(const StepEvent& event) override;
  void on_eval(const EvalEvent& event) override;

 private:
  std::unique_ptr<Progress> progress_;
};

}  // namespace qn::cli
