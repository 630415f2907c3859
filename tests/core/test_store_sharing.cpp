// A SQLite store open here while other processes use it: another descriptor of the file
// opened and closed in this process (what a file dialog or a MIME sniffer does) must not
// drop this process's locks, or the next `sqlite3` reading the store deletes the
// write-ahead log from under the open connections (docs/store.md, Crash safety and concurrency).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "config/run_config.h"
#include "store/run_store.h"
#include "test_support.h"

using namespace qn;

namespace {

// How many lines of /proc/locks name `path`'s inode: the locks this process holds on it
// while no other process has it open (open-file-description locks name no process, so
// they are counted by inode).
int locks_held_on(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 0;
  std::ifstream locks("/proc/locks");
  int count = 0;
  for (std::string line; std::getline(locks, line);) {
    const auto inode_at = line.find(":" + std::to_string(info.st_ino) + " ");
    if (inode_at != std::string::npos) ++count;
  }
  return count;
}

// What a file dialog sniffing a file's type does: open it, read its first bytes, close.
void sniff(const std::string& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  QVERIFY2(descriptor >= 0, path.c_str());
  char header[64];
  QVERIFY(::read(descriptor, header, sizeof header) >= 0);
  ::close(descriptor);
}

// Runs Debian's sqlite3 shell on `path` and returns what it printed.
QString sqlite3_shell(const std::string& path, const QString& sql) {
  QProcess shell;
  shell.start("sqlite3", {QString::fromStdString(path), sql});
  if (!shell.waitForFinished(30000) || shell.exitCode() != 0) {
    qWarning("sqlite3 failed: %s", shell.readAllStandardError().constData());
    return "(failed)";
  }
  return QString::fromUtf8(shell.readAllStandardOutput()).trimmed();
}

nlohmann::json tiny_config(int64_t seed) {
  return to_json(parse_run_config({{"train", {{"seed", seed}, {"max_steps", 1}}}}));
}

}  // namespace

class TestStoreSharing : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

 private Q_SLOTS:
  void another_descriptor_closed_here_keeps_the_stores_locks() {
    const auto path = dir_.filePath("shared.sqlite").toStdString();
    RunStore store(path);
    RunStore heartbeat(path);  // the GUI holds two connections: its store and a run's heartbeat
    const int64_t first = store.add_run(tiny_config(1));
    QCOMPARE(heartbeat.runs().size(), size_t{1});

    const int locks_before = locks_held_on(path) + locks_held_on(path + "-shm");
    QVERIFY2(locks_before > 0, "an open WAL store holds locks on its file and its -shm");
    for (const auto& file : {path, path + "-wal", path + "-shm"}) sniff(file);
    QCOMPARE(locks_held_on(path) + locks_held_on(path + "-shm"), locks_before);

    // Another process reads the store and exits: with this process's locks gone it would
    // take the store for unused, checkpoint it and delete the write-ahead log.
    QCOMPARE(sqlite3_shell(path, "SELECT count(*) FROM runs"), QString("1"));
    QVERIFY2(QFile::exists(QString::fromStdString(path + "-wal")),
             "the write-ahead log of a store in use stays");

    // Both connections here go on writing, and other processes see every row.
    const int64_t second = store.add_run(tiny_config(2));
    heartbeat.heartbeat(first);
    QCOMPARE(heartbeat.runs().size(), size_t{2});
    QCOMPARE(sqlite3_shell(path, "SELECT group_concat(id) FROM runs"),
             QString("%1,%2").arg(first).arg(second));
    QCOMPARE(sqlite3_shell(path, "PRAGMA integrity_check"), QString("ok"));
  }
};

QTEST_GUILESS_MAIN(TestStoreSharing)
#include "test_store_sharing.moc"
