#pragma once

#include "store/run_store.h"
#include "store/trained_model_cache.h"

namespace qn {

// The store's side of sweeps that train once, for run `run_id`: trained models are kept in
// the trained_models table (docs/store.md) while another queued or running run has the
// same training_key, and dropped when none has (RunStore::finish and end).
class TrainedModelStore final : public TrainedModelCache {
 public:
  TrainedModelStore(RunStore& store, int64_t run_id) : store_(store), run_id_(run_id) {}

  std::optional<TrainedModel> find(const std::string& key, const std::string& device) override;
  bool wants(const std::string& key) override;
  void keep(const std::string& key, const std::string& device, const TrainedModel& model) override;

 private:
  RunStore& store_;
  int64_t run_id_;
};

}  // namespace qn
