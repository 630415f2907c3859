#pragma once

#include <string>

#include "common/cancellation.h"

namespace qn {

// What the engine reports while it works (docs/engine.md, Engine events and
// cancellation). Plain callbacks keep the engine free of any UI toolkit; the GUI adapts
// them into queued signals, the CLI prints. Cancellation goes the other way, through a
// CancelToken (common/cancellation.h).
struct StepEvent {
  int64_t step = 0;
  int64_t total_steps = 0;
  double loss = 0;
  double lr = 0;
  double examples_per_second = 0;  // targets a second: images, or tokens for a language model
};

struct EvalEvent {
  int64_t step = 0;
  std::string metric_name;  // "accuracy" or "perplexity"; see float_metric_name
  double metric = 0;
};

// The name the metric of the model in training (before compression) is reported under:
// "float_accuracy", "float_perplexity". The compressed model's keeps the plain name.
inline std::string float_metric_name(const std::string& metric_name) {
  return "float_" + metric_name;
}

// The name a metric on a further evaluation table is reported under: "accuracy on
// dev_mismatched.tsv", "float_accuracy on dev_mismatched.tsv".
inline std::string further_metric_name(const std::string& metric_name, const std::string& table) {
  return metric_name + " on " + table;
}

class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_step(const StepEvent& /*event*/) {}
  virtual void on_eval(const EvalEvent& /*event*/) {}
  virtual void on_stage(const std::string& /*stage*/) {}
};

}  // namespace qn
