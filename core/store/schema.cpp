#include "store/schema.h"

#include <string>
#include <vector>

#include "common/error.h"

namespace qn {
namespace {

// Migration i takes a database from version i to i + 1. Append only: a released
// migration never changes.
const std::vector<std::string> kMigrations = {
    // 1: the first store.
    R"(
    CREATE TABLE sweeps (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      spec TEXT NOT NULL,
      created_at REAL NOT NULL);
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY,
      sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL,
      config TEXT NOT NULL,
      config_hash TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN
        ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
      device TEXT,
      created_at REAL NOT NULL,
      started_at REAL,
      finished_at REAL,
      heartbeat_at REAL,
      error TEXT);
    CREATE INDEX runs_by_hash ON runs(config_hash);
    CREATE INDEX runs_by_status ON runs(status);
    CREATE TABLE metrics (
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step INTEGER NOT NULL,
      name TEXT NOT NULL,
      value REAL NOT NULL);
    CREATE INDEX metrics_by_run ON metrics(run_id, name, step);
    CREATE TABLE results (
      run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      metric_name TEXT NOT NULL,
      metric REAL NOT NULL,
      float_metric REAL,
      size_bytes INTEGER NOT NULL,
      fp32_size_bytes INTEGER NOT NULL,
      compression REAL NOT NULL,
      seconds REAL NOT NULL);
    CREATE TABLE artifacts (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      path TEXT NOT NULL,
      kind TEXT NOT NULL,
      bytes INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      created_at REAL NOT NULL);
    )",
    // 2: cancelling a running run from another process (the runner polls the flag), how
    // many times a run was started, and hiding runs from plots.
    R"(
    ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
    )",
    // 3: each done run's compressed model, as .qnz bytes (written with its result, so that
    // any run can be exported later, byte for byte what it was evaluated on).
    R"(
    CREATE TABLE checkpoints (
      run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      data BLOB NOT NULL);
    )",
    // 4: a running run's progress, for queue views in any process: its stage ("training",
    // an iPQ stage...), when that began, and the stage's step out of its total.
    R"(
    ALTER TABLE runs ADD COLUMN stage TEXT;
    ALTER TABLE runs ADD COLUMN stage_started_at REAL;
    ALTER TABLE runs ADD COLUMN step INTEGER;
    ALTER TABLE runs ADD COLUMN total_steps INTEGER;
    )",
    // 5: sweeps that train once. Each run's training_key (config/training_key.h; NULL for
    // runs stored before), and trained float models kept while a queued or running run of
    // the same key may reuse them, with the events of their training.
    R"(
    ALTER TABLE runs ADD COLUMN training_key TEXT;
    CREATE INDEX runs_by_training_key ON runs(training_key);
    CREATE TABLE trained_models (
      training_key TEXT NOT NULL,
      device TEXT NOT NULL,
      run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
      steps INTEGER NOT NULL,
      state BLOB NOT NULL,
      events TEXT NOT NULL,
      created_at REAL NOT NULL,
      PRIMARY KEY (training_key, device));
    )",
};
static_assert(kSchemaVersion == 5, "kSchemaVersion must equal the number of migrations");

bool has_foreign_tables(Database& db) {
  auto query = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'");
  query.step();
  return query.integer(0) > 0;
}

}  // namespace

int schema_version(Database& db) {
  auto query = db.prepare("PRAGMA user_version");
  query.step();
  return static_cast<int>(query.integer(0));
}

void migrate(Database& db, int target) {
  db.transaction([&] {  // one writer decides; others wait, then find the work done
    const int version = schema_version(db);
    if (version > kSchemaVersion) {
      throw InputError("'" + db.path() + "' was written by a newer QNStudio (schema " +
                       std::to_string(version) + ", this build knows " +
                       std::to_string(kSchemaVersion) + ")");
    }
    if (version == 0 && has_foreign_tables(db)) {
      throw InputError("'" + db.path() + "' is a SQLite database but not a QNStudio store");
    }
    for (int next = version; next < target; ++next) {
      db.execute(kMigrations[static_cast<size_t>(next)]);
      db.execute("PRAGMA user_version = " + std::to_string(next + 1));
    }
  });
}

}  // namespace qn
