#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace qn {

// One prepared SQLite statement: bind by 1-based position, step through rows, read
// columns by 0-based index. Finalised on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::string& value);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<double>& value);
  Statement& bind_blob(int index, std::string_view bytes);

  // Advances to the next row; false when done. Errors throw with the statement's SQL.
  bool step();
  // Runs a statement that returns no rows, then resets it for the next binding.
  void run();
  void reset();

  bool is_null(int column) const;
  int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
  std::string sql_;
};

// A SQLite database connection set up as the store needs it: WAL journal (readers never
// block the writer, so the GUI can read while a sweep writes), a busy timeout (writers
// wait for each other instead of failing), foreign keys on. Opening a file that is not a
// SQLite database, or that cannot be opened, is an InputError naming it; the file is left
// untouched.
class Database {
 public:
  explicit Database(const std::string& path, int busy_timeout_ms = 10000);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void execute(const std::string& sql);
  Statement prepare(const std::string& sql) { return Statement(db_, sql); }
  int64_t last_insert_id() const;
  // Rows the last INSERT, UPDATE or DELETE on this connection changed.
  int changes() const;
  const std::string& path() const { return path_; }

  // BEGIN IMMEDIATE ... COMMIT, rolled back if `body` throws: the write lock is taken at
  // the start, so two writers never deadlock upgrading read locks.
  template <class Body>
  void transaction(Body&& body) {
    execute("BEGIN IMMEDIATE");
    try {
      body();
    } catch (...) {
      execute("ROLLBACK");
      throw;
    }
    execute("COMMIT");
  }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace qn
