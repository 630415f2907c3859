#include "store/sqlite_database.h"

#include <sqlite3.h>

#include "common/error.h"
#include "store/sqlite_description_locks.h"

namespace qn {
namespace {

class SqliteStatement : public StatementEngine {
 public:
  SqliteStatement(sqlite3* db, const std::string& sql) : db_(db), sql_(sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) {
      throw RuntimeFailure("database error: " + std::string(sqlite3_errmsg(db)) + " in: " + sql);
    }
  }
  ~SqliteStatement() override { sqlite3_finalize(statement_); }

  void bind(int index, int64_t value) override { sqlite3_bind_int64(statement_, index, value); }
  void bind(int index, double value) override { sqlite3_bind_double(statement_, index, value); }
  void bind(int index, const std::string& value) override {
    sqlite3_bind_text(statement_, index, value.c_str(), static_cast<int>(value.size()),
                      SQLITE_TRANSIENT);
  }
  void bind_null(int index) override { sqlite3_bind_null(statement_, index); }
  void bind_blob(int index, std::string_view bytes) override {
    sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  }

  bool step() override {
    const int status = sqlite3_step(statement_);
    if (status == SQLITE_ROW) return true;
    if (status == SQLITE_DONE) return false;
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_reset(statement_);
    throw RuntimeFailure("database error: " + message + " in: " + sql_);
  }

  void reset() override {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

  bool is_null(int column) const override {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
  }
  int64_t integer(int column) const override { return sqlite3_column_int64(statement_, column); }
  double real(int column) const override { return sqlite3_column_double(statement_, column); }
  std::string text(int column) const override {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(statement_, column)))
                : std::string();
  }
  std::string blob(int column) const override {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(statement_, column));
    return data ? std::string(data, static_cast<size_t>(sqlite3_column_bytes(statement_, column)))
                : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
  std::string sql_;
};

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path, int busy_timeout_ms) : Database(path) {
  // Locks that no other descriptor's close can drop (sqlite_description_locks.h): the GUI
  // opens files beside its connections (file dialogs), and so may any library it loads.
  use_open_file_description_locks();
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw InputError("cannot open database '" + path + "': " + message);
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  // A read first: a file that is not a database fails here, before anything could write.
  if (sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) ==
      SQLITE_NOTADB) {
    sqlite3_close(db_);
    throw InputError("'" + path + "' is not a SQLite database (the file was left untouched); " +
                     "open a QNStudio store or name a new file");
  }
  // Connection settings only: they write nothing to the file. The WAL journal, which does,
  // is set once the file is known to be a store or new (schema.h, migrate).
  try {
    execute("PRAGMA synchronous = NORMAL");
    execute("PRAGMA foreign_keys = ON");
  } catch (const Error& error) {
    sqlite3_close(db_);
    throw InputError("cannot use database '" + path + "': " + error.what());
  }
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(db_); }

void SqliteDatabase::execute(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw RuntimeFailure("database '" + location() + "': " + text);
  }
}

Statement SqliteDatabase::prepare(const std::string& sql) {
  return Statement(std::make_unique<SqliteStatement>(db_, sql));
}

int SqliteDatabase::changes() const { return sqlite3_changes(db_); }

}  // namespace qn
