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
    // 5: sweeps that train once. Each run's training_key (config/config_fingerprints.h; NULL for
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
    // 6: the process that runs a run (common/worker_identity.h): a run whose worker is
    // provably gone goes back to the queue at once; `qnoise runs` shows the host.
    R"(
    ALTER TABLE runs ADD COLUMN worker_host TEXT;
    ALTER TABLE runs ADD COLUMN worker_pid INTEGER;
    ALTER TABLE runs ADD COLUMN worker_started TEXT;
    )",
    // 7: the Slurm job that runs a sweep's workers (qnoise sweep --slurm).
    R"(
    ALTER TABLE sweeps ADD COLUMN slurm_job TEXT;
    )",
    // 8: per-layer sensitivity tables (qnoise sensitivity, store/sensitivity_store.h): the
    // metric of a trained model with one layer quantized by one candidate, the others fp32.
    R"(
    CREATE TABLE sensitivities (
      id INTEGER PRIMARY KEY,
      config TEXT NOT NULL,
      config_hash TEXT NOT NULL,
      training_key TEXT NOT NULL,
      candidates TEXT NOT NULL,
      device TEXT NOT NULL,
      metric_name TEXT NOT NULL,
      evaluation_split TEXT NOT NULL,
      baseline_metric REAL NOT NULL,
      float_metric REAL NOT NULL,
      seconds REAL NOT NULL,
      created_at REAL NOT NULL);
    CREATE INDEX sensitivities_by_hash ON sensitivities(config_hash);
    CREATE TABLE sensitivity_rows (
      sensitivity_id INTEGER NOT NULL REFERENCES sensitivities(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      layer TEXT NOT NULL,
      candidate TEXT NOT NULL,
      storage TEXT NOT NULL,
      weight_bytes INTEGER NOT NULL,
      bytes_saved INTEGER NOT NULL,
      metric REAL NOT NULL,
      metric_drop REAL NOT NULL,
      PRIMARY KEY (sensitivity_id, position));
    )",
};
static_assert(kSchemaVersion == 8, "kSchemaVersion must equal the number of migrations");

// PostgreSQL stores start at version 6 (the first with a PostgreSQL backend), created in
// one go with the same tables and columns as a migrated SQLite store, in PostgreSQL's
// types (BIGINT, DOUBLE PRECISION, BYTEA; metrics get an id for their insertion order,
// which SQLite's rowid gives). Later versions append to both lists.
constexpr const char* kPostgresSchema = R"(
    CREATE TABLE qnstudio_schema (version INTEGER NOT NULL);
    CREATE TABLE sweeps (
      id BIGSERIAL PRIMARY KEY,
      name TEXT NOT NULL,
      spec TEXT NOT NULL,
      created_at DOUBLE PRECISION NOT NULL);
    CREATE TABLE runs (
      id BIGSERIAL PRIMARY KEY,
      sweep_id BIGINT REFERENCES sweeps(id) ON DELETE SET NULL,
      config TEXT NOT NULL,
      config_hash TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN
        ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
      device TEXT,
      created_at DOUBLE PRECISION NOT NULL,
      started_at DOUBLE PRECISION,
      finished_at DOUBLE PRECISION,
      heartbeat_at DOUBLE PRECISION,
      error TEXT,
      cancel_requested BIGINT NOT NULL DEFAULT 0,
      attempts BIGINT NOT NULL DEFAULT 0,
      hidden BIGINT NOT NULL DEFAULT 0,
      stage TEXT,
      stage_started_at DOUBLE PRECISION,
      step BIGINT,
      total_steps BIGINT,
      training_key TEXT,
      worker_host TEXT,
      worker_pid BIGINT,
      worker_started TEXT);
    CREATE INDEX runs_by_hash ON runs(config_hash);
    CREATE INDEX runs_by_status ON runs(status);
    CREATE INDEX runs_by_training_key ON runs(training_key);
    CREATE TABLE metrics (
      id BIGSERIAL PRIMARY KEY,
      run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      step BIGINT NOT NULL,
      name TEXT NOT NULL,
      value DOUBLE PRECISION NOT NULL);
    CREATE INDEX metrics_by_run ON metrics(run_id, name, step);
    CREATE TABLE results (
      run_id BIGINT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      metric_name TEXT NOT NULL,
      metric DOUBLE PRECISION NOT NULL,
      float_metric DOUBLE PRECISION,
      size_bytes BIGINT NOT NULL,
      fp32_size_bytes BIGINT NOT NULL,
      compression DOUBLE PRECISION NOT NULL,
      seconds DOUBLE PRECISION NOT NULL);
    CREATE TABLE artifacts (
      id BIGSERIAL PRIMARY KEY,
      run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
      path TEXT NOT NULL,
      kind TEXT NOT NULL,
      bytes BIGINT NOT NULL,
      sha256 TEXT NOT NULL,
      created_at DOUBLE PRECISION NOT NULL);
    CREATE TABLE checkpoints (
      run_id BIGINT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      data BYTEA NOT NULL);
    CREATE TABLE trained_models (
      training_key TEXT NOT NULL,
      device TEXT NOT NULL,
      run_id BIGINT REFERENCES runs(id) ON DELETE SET NULL,
      steps BIGINT NOT NULL,
      state BYTEA NOT NULL,
      events TEXT NOT NULL,
      created_at DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (training_key, device));
    INSERT INTO qnstudio_schema (version) VALUES (6);
    )";
constexpr int kFirstPostgresVersion = 6;

// PostgreSQL's migration i takes a store from version kFirstPostgresVersion + i onwards,
// as kMigrations does for SQLite.
constexpr int kPostgresMigrationCount = 2;
const std::vector<std::string> kPostgresMigrations = {
    // 7
    "ALTER TABLE sweeps ADD COLUMN slurm_job TEXT;",
    // 8
    R"(
    CREATE TABLE sensitivities (
      id BIGSERIAL PRIMARY KEY,
      config TEXT NOT NULL,
      config_hash TEXT NOT NULL,
      training_key TEXT NOT NULL,
      candidates TEXT NOT NULL,
      device TEXT NOT NULL,
      metric_name TEXT NOT NULL,
      evaluation_split TEXT NOT NULL,
      baseline_metric DOUBLE PRECISION NOT NULL,
      float_metric DOUBLE PRECISION NOT NULL,
      seconds DOUBLE PRECISION NOT NULL,
      created_at DOUBLE PRECISION NOT NULL);
    CREATE INDEX sensitivities_by_hash ON sensitivities(config_hash);
    CREATE TABLE sensitivity_rows (
      sensitivity_id BIGINT NOT NULL REFERENCES sensitivities(id) ON DELETE CASCADE,
      position BIGINT NOT NULL,
      layer TEXT NOT NULL,
      candidate TEXT NOT NULL,
      storage TEXT NOT NULL,
      weight_bytes BIGINT NOT NULL,
      bytes_saved BIGINT NOT NULL,
      metric DOUBLE PRECISION NOT NULL,
      metric_drop DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (sensitivity_id, position));
    )",
};

int64_t count_tables(Database& db, const std::string& name_filter) {
  auto query = db.prepare(db.engine() == DatabaseEngine::SQLite
                              ? "SELECT count(*) FROM sqlite_master WHERE type = 'table'" + name_filter
                              : "SELECT count(*) FROM information_schema.tables "
                                "WHERE table_schema = current_schema()" + name_filter);
  query.step();
  return query.integer(0);
}

void refuse_newer_or_foreign(Database& db, int version) {
  if (version > kSchemaVersion) {
    throw InputError("'" + db.location() + "' was written by a newer QNStudio (schema " +
                     std::to_string(version) + ", this build knows " +
                     std::to_string(kSchemaVersion) + ")");
  }
  if (version == 0 && count_tables(db, "") > 0) {
    throw InputError("'" + db.location() + "' is a database but not a QNStudio store");
  }
}

void migrate_sqlite(Database& db, int target) {
  // Read before anything is written: somebody else's database is refused as it was.
  refuse_newer_or_foreign(db, schema_version(db));
  // The WAL journal: readers never block the writer, so the GUI reads while a sweep writes.
  // It is kept in the file, so it is set only on a store or a new file.
  db.execute("PRAGMA journal_mode = WAL");
  db.transaction([&] {  // one writer decides; others wait, then find the work done
    const int version = schema_version(db);
    refuse_newer_or_foreign(db, version);
    for (int next = version; next < target; ++next) {
      db.execute(kMigrations[static_cast<size_t>(next)]);
      db.execute("PRAGMA user_version = " + std::to_string(next + 1));
    }
  });
}

void migrate_postgres(Database& db) {
  // Two processes opening a new database at once: the second waits, then finds the tables.
  db.serialized_transaction([&] {
    int version = schema_version(db);
    refuse_newer_or_foreign(db, version);
    if (version == 0) {
      db.execute(kPostgresSchema);
      version = kFirstPostgresVersion;
    }
    for (int next = version; next < kSchemaVersion; ++next) {
      db.execute(kPostgresMigrations[static_cast<size_t>(next - kFirstPostgresVersion)]);
      db.execute("UPDATE qnstudio_schema SET version = " + std::to_string(next + 1));
    }
  });
}

}  // namespace

int schema_version(Database& db) {
  if (db.engine() == DatabaseEngine::SQLite) {
    auto query = db.prepare("PRAGMA user_version");
    query.step();
    return static_cast<int>(query.integer(0));
  }
  if (count_tables(db, " AND table_name = 'qnstudio_schema'") == 0) return 0;
  auto query = db.prepare("SELECT max(version) FROM qnstudio_schema");
  query.step();
  return static_cast<int>(query.integer(0));
}

void migrate(Database& db, int target) {
  if (db.engine() == DatabaseEngine::SQLite) return migrate_sqlite(db, target);
  static_assert(kSchemaVersion == kFirstPostgresVersion + kPostgresMigrationCount,
                "append the new version's migration for PostgreSQL too");
  migrate_postgres(db);
}

}  // namespace qn
