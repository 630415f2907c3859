#include "store/database.h"

#include "common/error.h"
#include "store/sqlite_database.h"
#ifdef QNS_WITH_POSTGRES
#include "store/postgres_database.h"
#endif

namespace qn {

bool is_postgres_uri(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::unique_ptr<Database> Database::open(const std::string& location) {
  if (is_postgres_uri(location)) {
#ifdef QNS_WITH_POSTGRES
    return std::make_unique<PostgresDatabase>(location);
#else
    throw InputError("cannot open " + location + ": this build of QNStudio has no PostgreSQL " +
                     "support (configured with -DQNS_WITH_POSTGRES=OFF); use a SQLite file");
#endif
  }
  return std::make_unique<SqliteDatabase>(location);
}

}  // namespace qn
