#pragma once

#include <torch/types.h>

#include <cstdint>

#include "common/cancellation.h"
#include "config/run_config.h"
#include "data/task_data.h"
#include "train/task_model.h"
#include "store/trained_model_cache.h"
#include "train/training_events.h"

namespace qn {

class DataParallel;

// A run's model right after training, with its data: run_training's first part, for tools
// that measure one trained model many ways (layer_sensitivity.h) and must start from the
// very model a run of the same training_key compresses.
struct TrainedRun {
  TaskData data;
  TaskModel model;  // trained, with the config's training noise still attached
  torch::Device device = torch::kCPU;
  int64_t steps = 0;
  bool shared_training = false;  // loaded from `trained_models` instead of trained here
};

// What run_training does before compressing, in its order and from its random stream:
// seeds, loads the data ("loading data"), builds the model, attaches the training noise and
// trains it ("training"), or loads the model a run of the same training kept in
// `trained_models` and replays its events. The caller checks the config first
// (check_before_training), as run_training does. With `parallel`, as run_training.
TrainedRun train_run_model(const RunConfig& config, TrainingObserver* observer,
                           const CancelToken* cancel, TrainedModelCache* trained_models = nullptr,
                           DataParallel* parallel = nullptr);

// The seed of the random stream everything after training draws from (torch::manual_seed):
// a stream of its own, so that a run whose trained model was shared continues exactly as
// one that trained it here.
uint64_t post_training_seed(uint64_t seed);

}  // namespace qn
