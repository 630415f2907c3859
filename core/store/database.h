#pragma once
// The store's connection to its database engine: SQLite (a file, the default) or
// PostgreSQL (a server shared by workers on many machines). The store writes one SQL that
// both accept (placeholders `?` and `?N`, upserts with ON CONFLICT, RETURNING) and asks
// engine() only where they differ (the schema, row locks for claims, insertion order).
// A parameter that may be NULL where nothing else gives its type is cast
// (`CAST(?1 AS BIGINT) IS NULL`): PostgreSQL must know every parameter's type.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace qn {

enum class DatabaseEngine { SQLite, PostgreSQL };

// What one engine does for a Statement.
class StatementEngine {
 public:
  virtual ~StatementEngine() = default;
  virtual void bind(int index, int64_t value) = 0;
  virtual void bind(int index, double value) = 0;
  virtual void bind(int index, const std::string& value) = 0;
  virtual void bind_null(int index) = 0;
  virtual void bind_blob(int index, std::string_view bytes) = 0;
  virtual bool step() = 0;
  virtual void reset() = 0;
  virtual bool is_null(int column) const = 0;
  virtual int64_t integer(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
  virtual std::string blob(int column) const = 0;
};

// One prepared statement: bind by 1-based position, step through rows, read columns by
// 0-based index. Errors throw with the statement's SQL.
class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementEngine> engine) : engine_(std::move(engine)) {}

  Statement& bind(int index, int64_t value) { return engine_->bind(index, value), *this; }
  Statement& bind(int index, double value) { return engine_->bind(index, value), *this; }
  Statement& bind(int index, const std::string& value) { return engine_->bind(index, value), *this; }
  Statement& bind_null(int index) { return engine_->bind_null(index), *this; }
  Statement& bind(int index, const std::optional<double>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  Statement& bind_blob(int index, std::string_view bytes) {
    return engine_->bind_blob(index, bytes), *this;
  }

  // Advances to the next row; false when done.
  bool step() { return engine_->step(); }
  // Runs a statement that returns no rows, then resets it for the next binding.
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() { engine_->reset(); }

  bool is_null(int column) const { return engine_->is_null(column); }
  int64_t integer(int column) const { return engine_->integer(column); }
  double real(int column) const { return engine_->real(column); }
  std::string text(int column) const { return engine_->text(column); }
  std::string blob(int column) const { return engine_->blob(column); }

 private:
  std::unique_ptr<StatementEngine> engine_;
};

class Database {
 public:
  // A `postgresql://` (or `postgres://`) URI connects to PostgreSQL (PostgresDatabase);
  // anything else is a SQLite file, created if missing (SqliteDatabase). Errors are
  // InputErrors naming the location.
  static std::unique_ptr<Database> open(const std::string& location);

  virtual ~Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  virtual DatabaseEngine engine() const = 0;
  virtual void execute(const std::string& sql) = 0;
  virtual Statement prepare(const std::string& sql) = 0;
  // Rows the last INSERT, UPDATE or DELETE on this connection changed.
  virtual int changes() const = 0;
  // The file or URI it was opened with, for messages and for opening it again.
  const std::string& location() const { return location_; }

  // One transaction around `body`, rolled back if it throws. SQLite takes the write lock at
  // the start (BEGIN IMMEDIATE), so two writers never deadlock upgrading read locks;
  // PostgreSQL locks rows as statements touch them.
  template <class Body>
  void transaction(Body&& body) {
    begin();
    try {
      body();
    } catch (...) {
      execute("ROLLBACK");
      throw;
    }
    execute("COMMIT");
  }

  // A transaction that no other serialized transaction overlaps, for read-then-write
  // decisions that row locks cannot guard (creating the schema, adding a sweep once,
  // claiming a device): SQLite's transactions already are; PostgreSQL takes one advisory
  // lock, held to the transaction's end.
  template <class Body>
  void serialized_transaction(Body&& body) {
    transaction([&] {
      serialize();
      body();
    });
  }

  // A transaction a crash of the server may lose whole (never half-applied), for the
  // frequent writes whose loss costs a second of curve or a heartbeat: metrics, progress,
  // heartbeats. SQLite's are all this already (WAL with synchronous NORMAL); PostgreSQL
  // commits it without waiting for its WAL to reach the disk (synchronous_commit off), which
  // on a disk with a slow flush multiplies the workers one server can serve
  // (qnoise bench store). Claims and results stay durable.
  template <class Body>
  void relaxed_transaction(Body&& body) {
    transaction([&] {
      relax_durability();
      body();
    });
  }

 protected:
  explicit Database(std::string location) : location_(std::move(location)) {}
  virtual void begin() = 0;
  virtual void serialize() {}
  virtual void relax_durability() {}

 private:
  std::string location_;
};

// Whether `location` names a PostgreSQL database rather than a SQLite file.
bool is_postgres_uri(const std::string& location);

}  // namespace qn
