#include "progress_observer.h"

#include <cstdio>
#include <iostream>

namespace qn::cli {

void ProgressObserver::on_stage(const std::string& stage) {
  progress_.reset();
  std::cerr << "[" << stage << "]\n";
}

void ProgressObserver::on_step(const StepEvent& event) {
  const bool report = event.step == event.total_steps || event.step % 20 == 0;
  if (!report) return;
  if (!progress_) {
    progress_ = std::make_unique<Progress>("train", static_cast<int>(event.total_steps));
  }
  char status[96];
  std::snprintf(status, sizeof status, "loss %.4f  lr %.2e  %.0f examples/s", event.loss,
                event.lr, event.examples_per_second);
  progress_->update(static_cast<int>(event.step), status);
}

}  // namespace qn::cli
