#pragma once
// The store on a SQLite file: the default, embedded, for one machine.
#include "store/database.h"

struct sqlite3;

namespace qn {

// A SQLite connection set up as the store needs it: locks no other descriptor's close can
// drop (sqlite_description_locks.h), a busy timeout (writers wait for each other instead
// of failing), foreign keys on. Opening a file that is not a SQLite database, or that
// cannot be opened, is an InputError naming it; the file is left untouched. The WAL
// journal is the store's to set (schema.h, migrate): it changes the file.
class SqliteDatabase : public Database {
 public:
  explicit SqliteDatabase(const std::string& path, int busy_timeout_ms = 10000);
  ~SqliteDatabase() override;

  DatabaseEngine engine() const override { return DatabaseEngine::SQLite; }
  void execute(const std::string& sql) override;
  Statement prepare(const std::string& sql) override;
  int changes() const override;

 protected:
  void begin() override { execute("BEGIN IMMEDIATE"); }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace qn
