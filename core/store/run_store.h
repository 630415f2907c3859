#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/worker_identity.h"
#include "config/config_fingerprints.h"  // config_hash, which the store keeps a run by
#include "config/run_config.h"
#include "store/database.h"

namespace qn {

enum class RunStatus { Queued, Running, Done, Failed, Cancelled, Interrupted };
std::string to_string(RunStatus status);
RunStatus parse_run_status(const std::string& text);

struct StoredResult {
  std::string metric_name;  // "accuracy" or "perplexity"
  double metric = 0;
  std::optional<double> float_metric;
  int64_t size_bytes = 0;
  int64_t fp32_size_bytes = 0;
  double compression = 0;
  double seconds = 0;
};

// Where a running run is: its stage, since when (seconds since the epoch), and the stage's
// step out of its total (0 of 0 for a stage without steps, such as evaluation).
struct RunProgress {
  std::string stage;
  double stage_started_at = 0;
  int64_t step = 0;
  int64_t total_steps = 0;

  // Seconds left in the stage at its pace so far; none before its first step.
  std::optional<double> seconds_left(double now) const;
  // "training 120/300", then, given the time now, ", 3 min 20 s left" once it is known.
  std::string describe(std::optional<double> now = std::nullopt) const;
};

// The clock stage_started_at is read on: seconds since the epoch.
double wall_clock_seconds();

struct StoredRun {
  int64_t id = 0;
  std::optional<int64_t> sweep_id;
  // The config, parsed once when the run is read from the store; none for a config this
  // build cannot read (written by another version), which config_text still shows.
  std::optional<RunConfig> config;
  std::string config_text;  // the config as stored (JSON)
  std::string config_hash;
  RunStatus status = RunStatus::Queued;
  std::string device;
  std::string error;
  int64_t attempts = 0;
  bool hidden = false;
  std::optional<StoredResult> result;
  std::optional<RunProgress> progress;  // once started (the last stage reached, if ended)
  std::optional<WorkerIdentity> worker;  // the process that last started it
};

// A file exported from a run (qnoise export): where, what, and its fingerprint.
struct StoredArtifact {
  int64_t run_id = 0;
  std::string path;    // absolute
  std::string kind;    // the export format (train/run_export.h): qnz, float, torchscript...
  int64_t bytes = 0;
  std::string sha256;  // 64 hex digits
};

struct MetricPoint {
  int64_t step = 0;
  std::string name;  // "loss", "lr", "examples_per_second", "accuracy", ...
  double value = 0;
};

// Where the store lives unless --db says otherwise: $XDG_DATA_HOME/qnstudio/studio.sqlite,
// else ~/.local/share/qnstudio/studio.sqlite (its folder created if needed).
std::string default_database_path();


// The results store (docs/store.md, The store; tables in docs/store.md) over one
// SQLite file or one PostgreSQL database, shared safely by several processes (the GUI, CLI
// sweeps, workers on many machines): every write is one short transaction, so a crash
// loses at most the write in flight and never a stored result.
class RunStore {
 public:
  // Opens (creating if needed) and migrates a SQLite path or a postgresql:// URI; errors
  // name it (see Database::open, migrate).
  explicit RunStore(const std::string& location);

  int64_t add_sweep(const std::string& name, const nlohmann::json& spec);
  // The first sweep stored with exactly this spec, if any (a sweep run again continues).
  std::optional<int64_t> find_sweep(const nlohmann::json& spec);
  // The Slurm job whose array tasks run the sweep's workers (qnoise sweep --slurm).
  void set_slurm_job(int64_t sweep_id, const std::string& job_id);
  std::optional<std::string> slurm_job(int64_t sweep_id);
  // A queued run of the complete config `config`.
  int64_t add_run(const nlohmann::json& config, std::optional<int64_t> sweep_id = {});
  // The id of a done run with this config hash, if any.
  std::optional<int64_t> find_done(const std::string& hash);
  // Any run (queued, running, done...) of this hash in this sweep, if any.
  std::optional<int64_t> find_in_sweep(int64_t sweep_id, const std::string& hash);

  // A run started at once by this process (qnoise train --db), marked running on `device`.
  // This and claim_next record this process as the run's worker (this_worker()).
  StoredRun begin_run(const nlohmann::json& config, const std::string& device);
  // Atomically takes the oldest queued run (of `sweep_id`, if given) and marks it running on
  // `device`, with a fresh heartbeat; nothing if none is queued. With `device_free_after`
  // (seconds), nothing either while another run on `device` has a heartbeat younger than
  // that: one run at a time per device, across processes.
  std::optional<StoredRun> claim_next(const std::string& device,
                                      std::optional<int64_t> sweep_id = {},
                                      std::optional<double> device_free_after = {});
  // How many runs have `status` (in `sweep_id`, if given).
  int64_t count_runs(RunStatus status, std::optional<int64_t> sweep_id = {});
  void heartbeat(int64_t run_id);
  // A run enters a stage (its step count starts over), then reports its steps.
  void begin_stage(int64_t run_id, const std::string& stage);
  void set_progress(int64_t run_id, int64_t step, int64_t total_steps);
  // The progress of every running run, by id: cheap, for views that poll.
  std::vector<std::pair<int64_t, RunProgress>> running_progress();
  // True if someone asked to cancel this run (cancel() on a running run).
  bool cancel_requested(int64_t run_id);
  void add_metrics(int64_t run_id, const std::vector<MetricPoint>& points);
  // Stores the result and the run's checkpoint (.qnz bytes; none if empty) and marks the
  // run done, in one transaction. Like end(), drops the trained models no queued or running
  // run can reuse any more (TrainedModelStore).
  void finish(int64_t run_id, const StoredResult& result, std::string_view checkpoint = {});
  // The .qnz bytes of a done run, if it kept them (runs finished before schema 3 did not).
  std::optional<std::string> checkpoint(int64_t run_id);
  void add_artifact(const StoredArtifact& artifact);
  std::vector<StoredArtifact> artifacts(int64_t run_id);
  // Marks a run failed or cancelled with its error text.
  void end(int64_t run_id, RunStatus status, const std::string& error);

  // Queued runs become cancelled at once; running ones are flagged for their runner.
  void cancel(int64_t run_id);
  void remove(int64_t run_id);
  void set_hidden(int64_t run_id, bool hidden);
  // Runs left `running` whose process died become interrupted: at once where their worker
  // is provably gone (this host, its process no longer there: provably_gone), else once
  // their heartbeat is older than `stale_seconds`. Returns how many.
  int mark_interrupted(double stale_seconds);
  // Runs in one of `statuses` (of `sweep_id`, if given; started fewer than `max_attempts`
  // times, if given) go back to queued, their partial metrics dropped. Returns how many.
  int requeue(const std::vector<RunStatus>& statuses, std::optional<int64_t> sweep_id = {},
              std::optional<int64_t> max_attempts = {});

  std::vector<StoredRun> runs(std::optional<int64_t> sweep_id = {});
  // Changes whenever a run is added, removed, started, ended, hidden or shown (not when
  // only metrics are written): lets a viewer skip re-reading an unchanged list.
  std::string runs_signature();
  std::optional<StoredRun> run(int64_t run_id);
  std::vector<MetricPoint> metrics(int64_t run_id);

  Database& database() { return *db_; }

 private:
  void drop_unneeded_trained_models();

  std::unique_ptr<Database> db_;
};

}  // namespace qn
