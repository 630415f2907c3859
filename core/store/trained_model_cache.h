#pragma once

#include <optional>
#include <string>

namespace qn {

// A model right after training: its parameters and buffers (save_model_state) and the
// events its training reported, as JSON (TrainingLog), so that a run reusing it shows the
// same curve as the run that trained it.
struct TrainedModel {
  std::string state;
  std::string events;
  int64_t steps = 0;
};

// Where trained models are kept for runs of the same training (training_key) to share
// (docs/engine.md, "Sweeps that train once"). The engine asks; the store answers
// (store/trained_model_store.h). `device` is the device the model was trained on: a model
// is only reused on the device kind it was trained on, so that sharing changes no result.
class TrainedModelCache {
 public:
  virtual ~TrainedModelCache() = default;
  virtual std::optional<TrainedModel> find(const std::string& key, const std::string& device) = 0;
  // Whether a model trained under `key` is worth keeping (another run waits for it).
  virtual bool wants(const std::string& key) = 0;
  virtual void keep(const std::string& key, const std::string& device,
                    const TrainedModel& model) = 0;
};

}  // namespace qn
