#pragma once
// A real PostgreSQL server for a test suite: initdb into a temporary folder, listening on a
// Unix socket there only (no TCP port, no root needed; as root it runs as the `postgres`
// user, since PostgreSQL refuses root), stopped when the suite ends. Debian's postgresql
// package provides the binaries; installer/setup.sh installs it.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <string>
#include <unistd.h>

namespace qn::test {

class PostgresServer {
 public:
  // Where Debian puts the server's programs (postgresql-15 on Debian 12).
  static QString binaries() {
    for (const auto& version : {"17", "16", "15"}) {
      const QString bin = QString("/usr/lib/postgresql/%1/bin").arg(version);
      if (QFile::exists(bin + "/initdb")) return bin;
    }
    return {};
  }

  // Starts the server; an empty error() means it is ready.
  PostgresServer() {
    const auto bin = binaries();
    if (bin.isEmpty()) {
      error_ = "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin "
               "(install Debian's postgresql)";
      return;
    }
    folder_.setAutoRemove(true);
    const auto dir = folder_.path();
    as_root_ = geteuid() == 0;
    if (as_root_ && !run("chown", {"postgres", dir})) return;
    if (!run_server(bin + "/initdb", {"-D", dir + "/data", "-A", "trust", "-U", "postgres"}) ||
        !run_server(bin + "/pg_ctl", {"-D", dir + "/data", "-o",
                                      "-k " + dir + " -c listen_addresses=''", "-l",
                                      dir + "/log", "-w", "start"})) {
      return;
    }
    started_ = true;
    stop_command_ = {bin + "/pg_ctl", {"-D", dir + "/data", "-m", "immediate", "stop"}};
    pg_ctl_ = bin + "/pg_ctl";
  }

  ~PostgresServer() {
    if (started_) run_server(stop_command_.first, stop_command_.second);
  }

  const std::string& error() const { return error_; }

  // A new, empty database on the server, and its URI.
  std::string create_database(const std::string& name) {
    QProcess psql;
    psql.start("psql", {"-h", folder_.path(), "-U", "postgres", "-qc",
                        QString::fromStdString("CREATE DATABASE " + name)});
    psql.waitForFinished(30000);
    if (psql.exitCode() != 0) error_ = psql.readAllStandardError().toStdString();
    return uri(name);
  }

  std::string uri(const std::string& name) const {
    return "postgresql://postgres@/" + name + "?host=" + folder_.path().toStdString();
  }

  // Stops or starts the server in the middle of a test (the store's clients see it gone).
  bool stop() { return run_server(stop_command_.first, stop_command_.second); }
  bool start() {
    const auto dir = folder_.path();
    return run_server(pg_ctl_, {"-D", dir + "/data", "-o", "-k " + dir + " -c listen_addresses=''",
                                "-l", dir + "/log", "-w", "start"});
  }

 private:
  bool run(const QString& program, const QStringList& arguments) {
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(120000) || process.exitCode() != 0) {
      error_ = (program + " " + arguments.join(" ") + ": ").toStdString() +
               process.readAllStandardError().toStdString();
      return false;
    }
    return true;
  }

  bool run_server(const QString& program, const QStringList& arguments) {
    if (!as_root_) return run(program, arguments);
    return run("runuser", QStringList{"-u", "postgres", "--", program} + arguments);
  }

  QTemporaryDir folder_{QDir::tempPath() + "/qns-postgres-XXXXXX"};
  bool as_root_ = false;
  bool started_ = false;
  std::pair<QString, QStringList> stop_command_;
  QString pg_ctl_;
  std::string error_;
};

}  // namespace qn::test
