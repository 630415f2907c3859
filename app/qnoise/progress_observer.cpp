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

void ProgressObserver::on_eval(const EvalEvent& event) {
  for (const auto* moment : {"_after_quantization", "_after_finetune"}) {
    const std::string suffix = moment;
    const auto& name = event.metric_name;
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      progress_.reset();
      std::fprintf(stderr, "  stage %lld: %s %.4f %s\n", static_cast<long long>(event.step),
                   name.substr(0, name.size() - suffix.size()).c_str(), event.metric,
                   suffix == "_after_finetune" ? "after fine-tuning" : "right after quantization");
    }
  }
}

}  // namespace qn::cli
