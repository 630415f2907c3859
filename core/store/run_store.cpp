#include "store/run_store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "common/data_folders.h"
#include "common/duration_text.h"
#include "common/error.h"
#include "config/run_config.h"
#include "config/config_fingerprints.h"
#include "store/schema.h"

namespace qn {
namespace {

const char* const kStatusNames[] = {"queued", "running", "done", "failed", "cancelled",
                                    "interrupted"};

// The columns StoredRun reads, in order, joined with the run's result if it has one.
constexpr const char* kRunSelect = R"(
  SELECT runs.id, runs.sweep_id, runs.config, runs.config_hash, runs.status, runs.device,
         runs.error, runs.attempts, runs.hidden, results.metric_name, results.metric,
         results.float_metric, results.size_bytes, results.fp32_size_bytes,
         results.compression, results.seconds, runs.stage, runs.stage_started_at, runs.step,
         runs.total_steps, runs.worker_host, runs.worker_pid, runs.worker_started
  FROM runs LEFT JOIN results ON results.run_id = runs.id)";

// Columns stage, stage_started_at, step, total_steps from `first` on.
RunProgress read_progress(const Statement& row, int first) {
  return {row.text(first), row.real(first + 1), row.integer(first + 2), row.integer(first + 3)};
}

StoredRun read_run(const Statement& row) {
  StoredRun run;
  run.id = row.integer(0);
  if (!row.is_null(1)) run.sweep_id = row.integer(1);
  run.config_text = row.text(2);
  const auto json = nlohmann::json::parse(run.config_text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded()) run.config = parse_stored_config(json);
  run.config_hash = row.text(3);
  run.status = parse_run_status(row.text(4));
  run.device = row.text(5);
  run.error = row.text(6);
  run.attempts = row.integer(7);
  run.hidden = row.integer(8) != 0;
  if (!row.is_null(9)) {
    StoredResult result;
    result.metric_name = row.text(9);
    result.metric = row.real(10);
    if (!row.is_null(11)) result.float_metric = row.real(11);
    result.size_bytes = row.integer(12);
    result.fp32_size_bytes = row.integer(13);
    result.compression = row.real(14);
    result.seconds = row.real(15);
    run.result = result;
  }
  if (!row.is_null(16)) run.progress = read_progress(row, 16);
  if (!row.is_null(20)) run.worker = WorkerIdentity{row.text(20), row.integer(21), row.text(22)};
  return run;
}

std::string status_list(const std::vector<RunStatus>& statuses) {
  std::string list;
  for (const auto status : statuses) list += (list.empty() ? "'" : ", '") + to_string(status) + "'";
  return list;
}

}  // namespace

std::string to_string(RunStatus status) { return kStatusNames[static_cast<int>(status)]; }

RunStatus parse_run_status(const std::string& text) {
  for (int i = 0; i < 6; ++i) {
    if (text == kStatusNames[i]) return static_cast<RunStatus>(i);
  }
  throw RuntimeFailure("unknown run status '" + text + "' in the database");
}

std::string default_database_path() { return (user_data_folder() / "studio.sqlite").string(); }


RunStore::RunStore(const std::string& location) : db_(Database::open(location)) { migrate(*db_); }

int64_t RunStore::add_sweep(const std::string& name, const nlohmann::json& spec) {
  auto insert = db_->prepare("INSERT INTO sweeps (name, spec, created_at) VALUES (?, ?, ?) RETURNING id");
  insert.bind(1, name).bind(2, spec.dump()).bind(3, wall_clock_seconds()).step();
  return insert.integer(0);
}

std::optional<int64_t> RunStore::find_sweep(const nlohmann::json& spec) {
  auto query = db_->prepare("SELECT id FROM sweeps WHERE spec = ? ORDER BY id LIMIT 1");
  query.bind(1, spec.dump());
  if (!query.step()) return std::nullopt;
  return query.integer(0);
}

void RunStore::set_slurm_job(int64_t sweep_id, const std::string& job_id) {
  db_->prepare("UPDATE sweeps SET slurm_job = ? WHERE id = ?").bind(1, job_id).bind(2, sweep_id).run();
}

std::optional<std::string> RunStore::slurm_job(int64_t sweep_id) {
  auto query = db_->prepare("SELECT slurm_job FROM sweeps WHERE id = ?");
  query.bind(1, sweep_id);
  if (!query.step() || query.is_null(0)) return std::nullopt;
  return query.text(0);
}

int64_t RunStore::add_run(const nlohmann::json& config, std::optional<int64_t> sweep_id) {
  auto insert = db_->prepare(
      "INSERT INTO runs (sweep_id, config, config_hash, status, created_at, training_key) "
      "VALUES (?, ?, ?, 'queued', ?, ?) RETURNING id");
  if (sweep_id) insert.bind(1, *sweep_id);
  insert.bind(2, config.dump())
      .bind(3, config_hash(config))
      .bind(4, wall_clock_seconds())
      .bind(5, training_key(config))
      .step();
  return insert.integer(0);
}

StoredRun RunStore::begin_run(const nlohmann::json& config, const std::string& device) {
  const double now = wall_clock_seconds();
  const auto worker = this_worker();
  auto insert = db_->prepare(
      "INSERT INTO runs (config, config_hash, status, device, created_at, started_at, "
      "heartbeat_at, attempts, training_key, worker_host, worker_pid, worker_started) "
      "VALUES (?, ?, 'running', ?, ?, ?, ?, 1, ?, ?, ?, ?) RETURNING id");
  insert.bind(1, config.dump())
      .bind(2, config_hash(config))
      .bind(3, device)
      .bind(4, now)
      .bind(5, now)
      .bind(6, now)
      .bind(7, training_key(config))
      .bind(8, worker.host)
      .bind(9, worker.pid)
      .bind(10, worker.started)
      .step();
  return *run(insert.integer(0));
}

std::optional<int64_t> RunStore::find_done(const std::string& hash) {
  auto query = db_->prepare(
      "SELECT id FROM runs WHERE config_hash = ? AND status = 'done' ORDER BY id LIMIT 1");
  query.bind(1, hash);
  if (query.step()) return query.integer(0);
  return std::nullopt;
}

std::optional<int64_t> RunStore::find_in_sweep(int64_t sweep_id, const std::string& hash) {
  auto query =
      db_->prepare("SELECT id FROM runs WHERE sweep_id = ? AND config_hash = ? ORDER BY id LIMIT 1");
  query.bind(1, sweep_id).bind(2, hash);
  if (query.step()) return query.integer(0);
  return std::nullopt;
}

std::optional<StoredRun> RunStore::claim_next(const std::string& device,
                                              std::optional<int64_t> sweep_id,
                                              std::optional<double> device_free_after) {
  std::optional<int64_t> claimed;
  const auto worker = this_worker();
  const auto claim = [&] {
    if (device_free_after) {  // a device is one host's: other machines' runs do not hold it
      auto busy = db_->prepare(
          "SELECT 1 FROM runs WHERE status = 'running' AND device = ? AND heartbeat_at >= ? "
          "AND (worker_host IS NULL OR worker_host = ?)");
      busy.bind(1, device).bind(2, wall_clock_seconds() - *device_free_after).bind(3, worker.host);
      if (busy.step()) return;
    }
    // SQLite's transaction holds the whole database; PostgreSQL locks the row it takes and
    // lets other workers skip it to the next one.
    const bool postgres = db_->engine() == DatabaseEngine::PostgreSQL;
    auto next = db_->prepare(
        "SELECT id FROM runs WHERE status = 'queued' "
        "AND (CAST(?1 AS BIGINT) IS NULL OR sweep_id = ?1) ORDER BY id LIMIT 1" +
        std::string(postgres ? " FOR UPDATE SKIP LOCKED" : ""));
    if (sweep_id) next.bind(1, *sweep_id);
    if (!next.step()) return;
    claimed = next.integer(0);
    const double now = wall_clock_seconds();
    db_->prepare(
           "UPDATE runs SET status = 'running', device = ?, started_at = ?, heartbeat_at = ?, "
           "attempts = attempts + 1, error = NULL, worker_host = ?, worker_pid = ?, "
           "worker_started = ? WHERE id = ?")
        .bind(1, device)
        .bind(2, now)
        .bind(3, now)
        .bind(4, worker.host)
        .bind(5, worker.pid)
        .bind(6, worker.started)
        .bind(7, *claimed)
        .run();
  };
  // With the device check, claims must take turns: two could both see the device free.
  if (device_free_after) {
    db_->serialized_transaction(claim);
  } else {
    db_->transaction(claim);
  }
  if (!claimed) return std::nullopt;
  return run(*claimed);
}

int64_t RunStore::count_runs(RunStatus status, std::optional<int64_t> sweep_id) {
  auto query = db_->prepare(
      "SELECT count(*) FROM runs WHERE status = ?2 "
      "AND (CAST(?1 AS BIGINT) IS NULL OR sweep_id = ?1)");
  if (sweep_id) query.bind(1, *sweep_id);
  query.bind(2, to_string(status));
  query.step();
  return query.integer(0);
}

void RunStore::heartbeat(int64_t run_id) {
  db_->relaxed_transaction([&] {
    db_->prepare("UPDATE runs SET heartbeat_at = ? WHERE id = ?")
        .bind(1, wall_clock_seconds())
        .bind(2, run_id)
        .run();
  });
}

void RunStore::begin_stage(int64_t run_id, const std::string& stage) {
  db_->prepare("UPDATE runs SET stage = ?, stage_started_at = ?, step = 0, total_steps = 0 "
              "WHERE id = ?")
      .bind(1, stage)
      .bind(2, wall_clock_seconds())
      .bind(3, run_id)
      .run();
}

void RunStore::set_progress(int64_t run_id, int64_t step, int64_t total_steps) {
  db_->relaxed_transaction([&] {
    db_->prepare("UPDATE runs SET step = ?, total_steps = ? WHERE id = ?")
        .bind(1, step)
        .bind(2, total_steps)
        .bind(3, run_id)
        .run();
  });
}

std::vector<std::pair<int64_t, RunProgress>> RunStore::running_progress() {
  auto query = db_->prepare(
      "SELECT id, stage, stage_started_at, step, total_steps FROM runs "
      "WHERE status = 'running' AND stage IS NOT NULL ORDER BY id");
  std::vector<std::pair<int64_t, RunProgress>> progress;
  while (query.step()) progress.emplace_back(query.integer(0), read_progress(query, 1));
  return progress;
}

double wall_clock_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RunProgress::describe(std::optional<double> now) const {
  std::string text = stage;
  if (total_steps > 0) text += " " + std::to_string(step) + "/" + std::to_string(total_steps);
  const auto left = now ? seconds_left(*now) : std::nullopt;
  if (left) text += ", " + format_duration(*left) + " left";
  return text;
}

std::optional<double> RunProgress::seconds_left(double now) const {
  if (step <= 0 || total_steps <= 0) return std::nullopt;
  const double elapsed = std::max(0.0, now - stage_started_at);
  return elapsed / static_cast<double>(step) * static_cast<double>(total_steps - step);
}

bool RunStore::cancel_requested(int64_t run_id) {
  auto query = db_->prepare("SELECT cancel_requested FROM runs WHERE id = ?");
  query.bind(1, run_id);
  return query.step() && query.integer(0) != 0;
}

void RunStore::end(int64_t run_id, RunStatus status, const std::string& error) {
  db_->transaction([&] {
    db_->prepare("UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?")
        .bind(1, to_string(status))
        .bind(2, wall_clock_seconds())
        .bind(3, error)
        .bind(4, run_id)
        .run();
    drop_unneeded_trained_models();
  });
}

void RunStore::drop_unneeded_trained_models() {
  db_->execute(
      "DELETE FROM trained_models WHERE training_key NOT IN (SELECT training_key FROM runs "
      "WHERE status IN ('queued', 'running') AND training_key IS NOT NULL)");
}

void RunStore::cancel(int64_t run_id) {
  db_->transaction([&] {
    db_->prepare(
           "UPDATE runs SET status = 'cancelled', finished_at = ?, error = 'cancelled before "
           "it started' WHERE id = ? AND status = 'queued'")
        .bind(1, wall_clock_seconds())
        .bind(2, run_id)
        .run();
    db_->prepare("UPDATE runs SET cancel_requested = 1 WHERE id = ? AND status = 'running'")
        .bind(1, run_id)
        .run();
  });
}

void RunStore::remove(int64_t run_id) {
  db_->prepare("DELETE FROM runs WHERE id = ?").bind(1, run_id).run();
}

void RunStore::set_hidden(int64_t run_id, bool hidden) {
  db_->prepare("UPDATE runs SET hidden = ? WHERE id = ?")
      .bind(1, int64_t{hidden})
      .bind(2, run_id)
      .run();
}

int RunStore::mark_interrupted(double stale_seconds) {
  int changed = 0;
  db_->transaction([&] {
    auto running = db_->prepare(
        "SELECT id, worker_host, worker_pid, worker_started FROM runs "
        "WHERE status = 'running' AND worker_host IS NOT NULL");
    std::vector<std::pair<int64_t, WorkerIdentity>> gone;
    while (running.step()) {
      WorkerIdentity worker{running.text(1), running.integer(2), running.text(3)};
      if (provably_gone(worker)) gone.emplace_back(running.integer(0), worker);
    }
    auto interrupt_gone = db_->prepare(
        "UPDATE runs SET status = 'interrupted', error = ? WHERE id = ? AND status = 'running'");
    for (const auto& [id, worker] : gone) {
      interrupt_gone
          .bind(1, "its worker (" + worker.host + ", process " + std::to_string(worker.pid) +
                       ") stopped while it ran")
          .bind(2, id)
          .run();
      changed += db_->changes();
    }
    db_->prepare(
           "UPDATE runs SET status = 'interrupted', error = 'its process stopped while it ran' "
           "WHERE status = 'running' AND heartbeat_at < ?")
        .bind(1, wall_clock_seconds() - stale_seconds)
        .run();
    changed += db_->changes();
  });
  return changed;
}

int RunStore::requeue(const std::vector<RunStatus>& statuses, std::optional<int64_t> sweep_id,
                      std::optional<int64_t> max_attempts) {
  if (statuses.empty()) return 0;
  const std::string filter = " WHERE status IN (" + status_list(statuses) +
                             ") AND (CAST(?1 AS BIGINT) IS NULL OR sweep_id = ?1)"
                             " AND (CAST(?2 AS BIGINT) IS NULL OR attempts < ?2)";
  const auto bind_filter = [&](Statement& statement) {
    if (sweep_id) statement.bind(1, *sweep_id);
    if (max_attempts) statement.bind(2, *max_attempts);
  };
  int changed = 0;
  db_->transaction([&] {
    auto drop = db_->prepare("DELETE FROM metrics WHERE run_id IN (SELECT id FROM runs" + filter + ")");
    bind_filter(drop);
    drop.run();
    auto update = db_->prepare(
        "UPDATE runs SET status = 'queued', cancel_requested = 0, started_at = NULL, "
        "finished_at = NULL, stage = NULL, stage_started_at = NULL, step = NULL, "
        "total_steps = NULL" + filter);
    bind_filter(update);
    update.run();
    changed = db_->changes();
  });
  return changed;
}

std::vector<StoredRun> RunStore::runs(std::optional<int64_t> sweep_id) {
  auto query = db_->prepare(std::string(kRunSelect) +
                           " WHERE (CAST(?1 AS BIGINT) IS NULL OR runs.sweep_id = ?1) "
                           "ORDER BY runs.id");
  if (sweep_id) query.bind(1, *sweep_id);
  std::vector<StoredRun> runs;
  while (query.step()) runs.push_back(read_run(query));
  return runs;
}

std::string RunStore::runs_signature() {
  auto query = db_->prepare(
      "SELECT count(*), coalesce(sum(id), 0), coalesce(sum(id * length(status)), 0), "
      "coalesce(sum(id * hidden), 0), "
      "coalesce(sum(coalesce(started_at, 0) + coalesce(finished_at, 0)), 0) FROM runs");
  query.step();
  std::string signature;
  for (int column = 0; column < 5; ++column) signature += query.text(column) + "/";
  return signature;
}

std::optional<StoredRun> RunStore::run(int64_t run_id) {
  auto query = db_->prepare(std::string(kRunSelect) + " WHERE runs.id = ?");
  query.bind(1, run_id);
  if (query.step()) return read_run(query);
  return std::nullopt;
}

}  // namespace qn
