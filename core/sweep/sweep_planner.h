#pragma once

#include <nlohmann/json.hpp>

#include "config/run_config.h"
#include "store/run_store.h"

namespace qn {

struct SweepPlanOptions {
  bool resume = false;        // interrupted runs of the sweep go back to the queue
  bool retry_failed = false;  // and failed ones
  bool rerun = false;         // configs done elsewhere in the store are run again
};

struct SweepPlan {
  int64_t sweep_id = 0;
  size_t configs = 0;  // in the expanded grid
  int queued = 0;      // new runs added
  int skipped_done = 0;  // configs already done elsewhere in the store
  int requeued = 0;    // interrupted or failed runs put back
};

// Puts a sweep spec into the store: the sweep with this exact spec if the store has one
// (so the same command continues it), else a new sweep; then one queued run for each
// expanded config the sweep does not hold yet, unless the same config (hash) is done
// anywhere in the store. Invalid specs, and a spec with any run that fails
// check_before_training, are InputErrors naming the run before anything is written.
SweepPlan enqueue_sweep(RunStore& store, const nlohmann::json& spec,
                        const SweepPlanOptions& options = {});

// Puts one config into the store as a queued run outside any sweep, once it passes
// check_before_training (else an InputError, and nothing is written), a torchscript model
// pinned to its file (pin_model_file). Returns the run's id.
int64_t enqueue_run(RunStore& store, RunConfig config);

}  // namespace qn
