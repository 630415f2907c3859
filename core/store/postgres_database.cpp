#include "store/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/error.h"

namespace qn {
namespace {

// Type oids of PostgreSQL's built-in types (pg_type.dat), sent with each parameter so the
// server need not guess (it cannot, in `$1 IS NULL`).
constexpr Oid kInt8 = 20, kText = 25, kFloat8 = 701, kBytea = 17;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresStatement : public StatementEngine {
 public:
  PostgresStatement(PostgresDatabase& db, const std::string& sql)
      : db_(db), sql_(postgres_placeholders(sql)) {
    reset();
  }

  void bind(int index, int64_t value) override { set(index, std::to_string(value), kInt8, 0); }
  void bind(int index, double value) override {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);  // round-trips every double
    set(index, text, kFloat8, 0);
  }
  void bind(int index, const std::string& value) override { set(index, value, kText, 0); }
  void bind_null(int index) override {
    values_.at(index - 1).reset();
    types_[index - 1] = 0;  // the server infers it from where it is used
  }
  void bind_blob(int index, std::string_view bytes) override {
    set(index, std::string(bytes), kBytea, 1);
  }

  bool step() override {
    if (!result_) execute();
    return ++row_ < PQntuples(result_.get());
  }

  // Every parameter starts NULL, as SQLite's unbound ones are.
  void reset() override {
    result_.reset();
    row_ = -1;
    values_.assign(sql_.parameters, std::nullopt);
    types_.assign(sql_.parameters, 0);
    formats_.assign(sql_.parameters, 0);
  }

  bool is_null(int column) const override { return PQgetisnull(result_.get(), row_, column); }
  int64_t integer(int column) const override {
    return is_null(column) ? 0 : std::stoll(PQgetvalue(result_.get(), row_, column));
  }
  double real(int column) const override {
    return is_null(column) ? 0.0 : std::stod(PQgetvalue(result_.get(), row_, column));
  }
  std::string text(int column) const override {
    return std::string(PQgetvalue(result_.get(), row_, column),
                       static_cast<size_t>(PQgetlength(result_.get(), row_, column)));
  }
  std::string blob(int column) const override {
    if (is_null(column)) return {};
    size_t length = 0;
    auto* bytes = PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row_, column)), &length);
    std::string data(reinterpret_cast<const char*>(bytes), length);
    PQfreemem(bytes);
    return data;
  }

 private:
  void set(int index, std::string value, Oid type, int format) {
    values_.at(index - 1) = std::move(value);
    types_[index - 1] = type;
    formats_[index - 1] = format;
  }

  void execute() {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const auto& value : values_) {
      values.push_back(value ? value->data() : nullptr);
      lengths.push_back(value ? static_cast<int>(value->size()) : 0);
    }
    result_.reset(db_.run(sql_.text, [&](PGconn* connection) {
      return PQexecParams(connection, sql_.text.c_str(), static_cast<int>(values.size()),
                          types_.data(), values.data(), lengths.data(), formats_.data(), 0);
    }));
    const char* changed = PQcmdTuples(result_.get());
    db_.set_changes(*changed ? std::atoi(changed) : 0);
    row_ = -1;
  }

  PostgresDatabase& db_;
  PostgresSql sql_;
  std::vector<std::optional<std::string>> values_;
  std::vector<Oid> types_;
  std::vector<int> formats_;
  Result result_;
  int row_ = -1;
};

bool has_password(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (!options) {
    const std::string message = error ? error : "cannot parse it";
    PQfreemem(error);
    throw InputError("'" + uri + "' is not a PostgreSQL URI: " + message);
  }
  bool found = false;
  for (auto* option = options; option->keyword; ++option) {
    found |= std::string(option->keyword) == "password" && option->val && *option->val;
  }
  PQconninfoFree(options);
  return found;
}

}  // namespace

PostgresSql postgres_placeholders(const std::string& sql) {
  std::string translated;
  int highest = 0;
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c != '?' || quoted) {
      translated += c;
      continue;
    }
    size_t end = i + 1;
    while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) ++end;
    const int number = end > i + 1 ? std::stoi(sql.substr(i + 1, end - i - 1)) : highest + 1;
    highest = std::max(highest, number);
    translated += "$" + std::to_string(number);
    i = end - 1;
  }
  return {translated, highest};
}

PostgresDatabase::PostgresDatabase(const std::string& uri) : Database(uri) {
  if (has_password(uri)) {
    throw InputError("'" + uri + "' holds a password; give it in ~/.pgpass or PGPASSWORD " +
                     "instead (a URI shows up in process lists and logs)");
  }
  const char* keywords[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {uri.c_str(), "10", nullptr};
  connection_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (PQstatus(connection_) != CONNECTION_OK) {
    const std::string message = PQerrorMessage(connection_);
    PQfinish(connection_);
    throw InputError("cannot connect to PostgreSQL at '" + uri + "': " + message);
  }
  // The server's notices ("relation already exists, skipping") are not ours to print.
  PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
}

PostgresDatabase::~PostgresDatabase() { PQfinish(connection_); }

std::string PostgresDatabase::failure(const std::string& sql) const {
  std::string message = PQerrorMessage(connection_);
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  return "database '" + location() + "': " + message + " in: " + sql;
}

bool PostgresDatabase::reconnect() {
  if (gave_up_) return false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(kReconnectSeconds);
  for (double wait = 0.5; std::chrono::steady_clock::now() < deadline; wait = std::min(wait * 2, 5.0)) {
    PQreset(connection_);
    if (PQstatus(connection_) == CONNECTION_OK) return true;
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
  }
  gave_up_ = true;
  return false;
}

PGresult* PostgresDatabase::run(const std::string& sql,
                                const std::function<PGresult*(PGconn*)>& send) {
  const auto lost = [&] {
    return RuntimeFailure("lost the connection to PostgreSQL at '" + location() +
                          "' and could not reconnect within " +
                          std::to_string(static_cast<int>(kReconnectSeconds)) +
                          " s: " + PQerrorMessage(connection_));
  };
  if (gave_up_) throw lost();
  if (PQstatus(connection_) != CONNECTION_OK && !reconnect()) throw lost();
  for (int attempt = 0;; ++attempt) {
    Result result(send(connection_));
    const auto status = PQresultStatus(result.get());
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return result.release();
    const bool broken = PQstatus(connection_) != CONNECTION_OK;
    if (!broken) throw RuntimeFailure(failure(sql));
    if (in_transaction_ || attempt > 0) {
      in_transaction_ = false;  // the server ended it with the connection
      throw RuntimeFailure("lost the connection to PostgreSQL at '" + location() + "' in: " + sql);
    }
    if (!reconnect()) throw lost();
  }
}

void PostgresDatabase::begin() {
  execute("BEGIN");
  in_transaction_ = true;
}

void PostgresDatabase::execute(const std::string& sql) {
  // COMMIT runs as part of its transaction (never sent again on a new connection, where it
  // would "succeed" with nothing to commit); the transaction is over however it ends.
  struct EndsTransaction {
    bool& in_transaction;
    bool ends;
    ~EndsTransaction() {
      if (ends) in_transaction = false;
    }
  } ends{in_transaction_, sql == "COMMIT" || sql == "ROLLBACK"};
  Result(run(sql, [&](PGconn* connection) { return PQexec(connection, sql.c_str()); }));
}

void PostgresDatabase::serialize() {
  execute("SELECT pg_advisory_xact_lock(7163952081)");  // QNStudio's key, any constant
}

void PostgresDatabase::relax_durability() { execute("SET LOCAL synchronous_commit TO OFF"); }

Statement PostgresDatabase::prepare(const std::string& sql) {
  return Statement(std::make_unique<PostgresStatement>(*this, sql));
}

}  // namespace qn
