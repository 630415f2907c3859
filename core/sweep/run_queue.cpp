#include "sweep/run_queue.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "common/runtime.h"
#include "config/run_config.h"
#include "store/trained_model_store.h"
#include "sweep/recording_observer.h"
#include "train/run_checkpoint.h"
#include "train/trainer.h"

namespace qn {
namespace {

// Beats the run's heartbeat until destroyed, and turns a cancel request in the store (or
// `outer`) into `token`.
class Heartbeat {
 public:
  Heartbeat(const std::string& db_path, int64_t run_id, double seconds, const CancelToken* outer,
            CancelToken& token)
      : thread_([=, &token] { beat(db_path, run_id, seconds, outer, token); }) {}
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void beat(const std::string& db_path, int64_t run_id, double seconds, const CancelToken* outer,
            CancelToken& token) {
    try {
      RunStore store(db_path);
      std::unique_lock<std::mutex> lock(mutex_);
      while (!stopping_) {
        store.heartbeat(run_id);
        if (store.cancel_requested(run_id) || (outer && outer->cancelled())) token.cancel();
        wake_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return stopping_; });
      }
    } catch (const std::exception&) {
      // The database went away: the run goes on; its result write will report the problem.
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

RunResult execute_run(RunStore& store, const StoredRun& run, TrainingObserver* progress,
                      const CancelToken* cancel, const QueueOptions& options,
                      DataParallel* parallel) {
  CancelToken token;
  RecordingObserver recorder(store, run.id, options.metrics_batch, progress);
  try {
    Heartbeat heartbeat(store.database().location(), run.id, options.heartbeat_seconds, cancel, token);
    // Parsed when the run was read; an unreadable one is parsed again for the reason, which
    // fails the run with it.
    auto config = run.config ? *run.config : parse_run_config(nlohmann::json::parse(run.config_text));
    if (options.device) config.device = *options.device;
    TrainedModelStore trained_models(store, run.id);
    const auto result = run_training(config, &recorder, &token,
                                     options.share_training ? &trained_models : nullptr, parallel);
    recorder.flush();
    store.finish(run.id,
                 {result.metric_name, result.metric, result.float_metric,
                  result.size.total_bytes(), result.size.fp32_bytes(), result.size.compression(),
                  result.seconds},
                 run_checkpoint(config, result));
    return result;
  } catch (const RunCancelled& cancelled) {
    // The queue stopping (its process quitting) decides nothing about the run: it is
    // interrupted and resumes later. Only a cancel asked of the run itself cancels it.
    if (cancel && cancel->cancelled() && !store.cancel_requested(run.id)) {
      store.end(run.id, RunStatus::Interrupted,
                "interrupted: the process running it stopped before it finished");
      throw RunInterrupted();
    }
    store.end(run.id, RunStatus::Cancelled, cancelled.what());
    throw;
  } catch (const std::exception& error) {  // qn::Error, LibTorch's c10::Error, bad_alloc
    store.end(run.id, RunStatus::Failed, error.what());
    throw;
  }
}

QueueSummary run_queue(RunStore& store, std::optional<int64_t> sweep_id,
                       TrainingObserver* progress, const CancelToken* cancel,
                       const QueueOptions& options) {
  using Clock = std::chrono::steady_clock;
  QueueSummary summary;
  const auto device = describe_device(resolve_device(options.device.value_or("auto")));
  const auto free_after = options.one_run_per_device
                              ? std::optional<double>(kStaleHeartbeatSeconds)
                              : std::nullopt;
  constexpr auto kReapInterval = std::chrono::seconds(5);
  auto idle_since = Clock::now();
  auto last_reap = Clock::time_point{};
  while (!(cancel && cancel->cancelled())) {
    if (options.max_runs && summary.done + summary.failed + summary.cancelled >= *options.max_runs) {
      break;
    }
    if (auto run = store.claim_next(device, sweep_id, free_after)) {
      try {
        execute_run(store, *run, progress, cancel, options);
        ++summary.done;
      } catch (const RunInterrupted&) {
        ++summary.interrupted;
      } catch (const RunCancelled&) {
        ++summary.cancelled;
      } catch (const std::exception&) {  // recorded in the store; the queue goes on
        ++summary.failed;
      }
      idle_since = Clock::now();
      continue;
    }
    // Nothing to take now. Free the runs of workers that died (a write, so an idle queue
    // does it every few seconds, not every poll: many idle workers would otherwise load a
    // shared server), then see whether anything may still come: queued runs waiting for
    // the device, runs of the sweep still running elsewhere, or new runs within the idle
    // time. A queue never stops without having just reaped.
    const bool reaped = Clock::now() - last_reap >= kReapInterval;
    if (reaped) {
      store.mark_interrupted(kStaleHeartbeatSeconds);
      if (options.rerun_interrupted) {
        store.requeue({RunStatus::Interrupted}, sweep_id, kMaxRunAttempts);
      }
      last_reap = Clock::now();
    }
    const bool queued = store.count_runs(RunStatus::Queued, sweep_id) > 0;
    const bool running_elsewhere =
        options.wait_for_running && store.count_runs(RunStatus::Running, sweep_id) > 0;
    const bool may_idle = std::chrono::duration<double>(Clock::now() - idle_since).count() <
                          options.idle_exit_seconds;
    if (!queued && !running_elsewhere && !may_idle) {
      if (reaped) break;
      last_reap = Clock::time_point{};  // reap once more, then decide
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return summary;
}

}  // namespace qn
