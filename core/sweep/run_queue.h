#pragma once

#include <optional>
#include <string>

#include "store/run_store.h"
#include "train/training_events.h"
#include "train/training_run.h"

namespace qn {

struct QueueOptions {
  double heartbeat_seconds = 2.0;  // how often a running run says it is alive
  // One run at a time per device, across processes: a queue waits while another process
  // runs on its device. false lets queues share a device (qnoise sweep --parallel).
  bool one_run_per_device = true;
  // Runs of the same training (training_key) share one trained model through the store
  // (TrainedModelStore); false trains every run itself (qnoise sweep --train-each).
  bool share_training = true;
  size_t metrics_batch = 50;       // steps whose metrics are written a transaction (at most a
                                   // second apart, for live plots)
  // With nothing queued, wait while runs (of the sweep) still run in other processes rather
  // than stop: a sweep ends when all its runs have ended (qnoise sweep).
  bool wait_for_running = false;
  // Runs (of the sweep) that become interrupted go back to the queue, up to
  // kMaxRunAttempts starts each (qnoise sweep --resume, qnoise worker).
  bool rerun_interrupted = false;
  // With nothing queued, wait this long for new runs before stopping (qnoise worker
  // --idle-exit).
  double idle_exit_seconds = 0;
  std::optional<int> max_runs;  // stop after this many runs (qnoise worker --max-runs)
  // Trains every run on this device ("cpu", "cuda", "auto") instead of the one its config
  // names (qnoise worker --device): where a run trains changes none of its results' meaning.
  std::optional<std::string> device;
};

// The runner's heartbeat is this many seconds old before another process may call its run
// interrupted (mark_interrupted; at once where its worker is provably gone).
constexpr double kStaleHeartbeatSeconds = 30.0;
// A run that was interrupted this many times (its process killed each time: out of memory,
// say) is not rerun automatically any more; `qnoise sweep --resume` still can.
constexpr int64_t kMaxRunAttempts = 3;

struct QueueSummary {
  int done = 0, failed = 0, cancelled = 0;
  int interrupted = 0;  // stopped by `cancel` (the queue's process stopping), not by a user
};

// Trains one run that the store already marks running (claimed): records its step and
// eval metrics in batches, beats its heartbeat from a helper thread (with its own
// connection, so long evaluations or k-means do not look like a crash), stops when
// `cancel` fires or another process cancels it in the store, and ends it as done (with its
// result, which it returns), or as cancelled (asked in the store), interrupted (`cancel`
// fired: its process is stopping; RunInterrupted) or failed, with the error, which it then
// rethrows. `progress`, if given, sees every event. Its training is shared with the
// store's other runs of the same training_key (TrainedModelStore) unless
// options.share_training is false.
// With `parallel`, this process is rank 0 of a group that trains the run together
// (run_training).
RunResult execute_run(RunStore& store, const StoredRun& run, TrainingObserver* progress,
                      const CancelToken* cancel, const QueueOptions& options = {},
                      DataParallel* parallel = nullptr);

// Runs the queued runs (of `sweep_id`, if given) one at a time, oldest first, until none is
// left (see the options for waiting) or `cancel` fires. Several processes may drain one
// store at once: each claim is atomic, so no run is taken twice; by default a queue waits
// while another process's run holds its device (a crashed one's stale heartbeat frees it).
QueueSummary run_queue(RunStore& store, std::optional<int64_t> sweep_id,
                       TrainingObserver* progress, const CancelToken* cancel,
                       const QueueOptions& options = {});

}  // namespace qn
