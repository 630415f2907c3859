#pragma once
// The store on a PostgreSQL server: one database shared by workers on many machines
// (qnoise worker), where SQLite must not be shared over a network file system.
#include <functional>
#include <string>

#include "store/database.h"

struct pg_conn;
struct pg_result;

namespace qn {

// A libpq connection to `uri` (postgresql://user@host:port/dbname, or ?host=/socket/dir).
// The password comes from libpq's usual places (PGPASSWORD, ~/.pgpass), never from the
// URI: one there is refused, since URIs show up in process lists and logs. Connecting
// gives up after 10 s (libpq's connect_timeout, unless the URI sets it): an unreachable
// host, a refused login or a missing database is an InputError naming the URI and libpq's
// reason.
class PostgresDatabase : public Database {
 public:
  explicit PostgresDatabase(const std::string& uri);
  ~PostgresDatabase() override;

  DatabaseEngine engine() const override { return DatabaseEngine::PostgreSQL; }
  void execute(const std::string& sql) override;
  Statement prepare(const std::string& sql) override;
  int changes() const override { return changes_; }

  // Runs one command through `send` (PQexec or PQexecParams) and returns its result, or
  // throws with the server's message. A connection found broken is re-established first
  // (the server restarted, the network blinked): up to kReconnectSeconds, retrying, before
  // the command fails with "lost the connection". A command that fails because the
  // connection broke under it is sent again once reconnected, unless it was inside a
  // transaction (the server rolled that back; the transaction's caller sees the error).
  // Once reconnecting has failed, every later command fails at once: the process is
  // stopping, and each write need not wait out its own retries.
  pg_result* run(const std::string& sql, const std::function<pg_result*(pg_conn*)>& send);

  // How many rows the last command changed; set by statements.
  void set_changes(int changes) { changes_ = changes; }
  pg_conn* connection() { return connection_; }

  static constexpr double kReconnectSeconds = 30.0;

 protected:
  void begin() override;
  void serialize() override;
  void relax_durability() override;

 private:
  std::string failure(const std::string& sql) const;
  bool reconnect();

  pg_conn* connection_ = nullptr;
  int changes_ = 0;
  bool in_transaction_ = false;
  bool gave_up_ = false;
};

// SQLite's placeholders in libpq's form: `?N` becomes `$N`, each bare `?` the next number
// after the highest so far (SQLite's rule); quoted text is left alone. `parameters` is
// the highest number: libpq needs a value (NULL where SQLite would leave one unbound) for
// each.
struct PostgresSql {
  std::string text;
  int parameters = 0;
};
PostgresSql postgres_placeholders(const std::string& sql);

}  // namespace qn
