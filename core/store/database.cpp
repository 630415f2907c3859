#include "store/database.h"

#include "store/postgres_database.h"
#include "store/sqlite_database.h"

namespace qn {

bool is_postgres_uri(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::unique_ptr<Database> Database::open(const std::string& location) {
  if (is_postgres_uri(location)) return std::make_unique<PostgresDatabase>(location);
  return std::make_unique<SqliteDatabase>(location);
}

}  // namespace qn
