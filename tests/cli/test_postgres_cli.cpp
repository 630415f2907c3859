// Workers on a real PostgreSQL server (started by the suite): three `qnoise worker`s share a
// 12-run sweep and one is killed with SIGKILL in the middle of a run; every run ends done
// once, with its whole curve, and with results equal, bit for bit, to the same sweep run by
// one worker on SQLite. A server stopped in the middle of a run: the worker retries, then
// stops saying why, and nothing done is lost. A sweep killed and resumed at once.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <map>
#include <thread>

#include "cli_support.h"
#include "io/qnz_reader.h"
#include "postgres_server.h"
#include "store/run_store.h"

using namespace qn;
using test::run_to_end;

namespace {

QString write_spec(const QString& path, int runs, int64_t steps) {
  std::vector<int64_t> seeds;
  for (int seed = 0; seed < runs; ++seed) seeds.push_back(seed);
  return test::write_sweep_spec(path, seeds, steps, 512);
}

QString quoted(const std::string& text) { return QString::fromStdString(text); }

// Waits until `store` has a running run that `pid` took and that has written some curve;
// its id.
std::optional<int64_t> wait_for_running_run_of(const std::string& location, int64_t pid) {
  for (int tries = 0; tries < 1200; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    RunStore store(location);
    for (const auto& run : store.runs()) {
      if (run.status == RunStatus::Running && run.worker && run.worker->pid == pid &&
          !store.metrics(run.id).empty()) {
        return run.id;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

class TestPostgresCli : public QObject {
  Q_OBJECT

 private:
  test::PostgresServer server_;
  QTemporaryDir dir_;

 private Q_SLOTS:
  void initTestCase() { QVERIFY2(server_.error().empty(), server_.error().c_str()); }

  void three_workers_one_killed_every_run_done_once_as_on_sqlite() {
    constexpr int kRuns = 12;
    constexpr int64_t kSteps = 15;
    const auto spec = write_spec(dir_.filePath("workers.json"), kRuns, kSteps);
    const auto uri = server_.create_database("workers");
    QCOMPARE(run_to_end({"sweep", "--spec", spec, "--db", quoted(uri), "--queue-only"}), 0);

    QProcess workers[3];
    for (auto& worker : workers) {
      worker.start(QStringLiteral(QNOISE_PATH),
                   {"worker", "--db", quoted(uri), "--threads", "1", "--json"});
      QVERIFY(worker.waitForStarted());
    }
    const auto victim = wait_for_running_run_of(uri, workers[1].processId());
    QVERIFY2(victim.has_value(), "the second worker never ran a run");
    workers[1].kill();  // SIGKILL in the middle of its run
    QVERIFY(workers[1].waitForFinished());
    // Still running in the store (unless it ended in the moment before the kill).
    const bool killed_mid_run = RunStore(uri).run(*victim)->status == RunStatus::Running;
    for (int i : {0, 2}) {
      QVERIFY(workers[i].waitForFinished(600000));
      QCOMPARE(workers[i].exitCode(), 0);
    }

    // The same sweep, one worker, on SQLite: the reference.
    const auto reference_db = dir_.filePath("reference.sqlite").toStdString();
    QCOMPARE(run_to_end({"sweep", "--spec", spec, "--db", quoted(reference_db), "--queue-only"}), 0);
    QCOMPARE(run_to_end({"worker", "--db", quoted(reference_db), "--threads", "1"}), 0);

    RunStore shared(uri);
    RunStore reference(reference_db);
    std::map<std::string, StoredRun> reference_by_hash;
    for (const auto& run : reference.runs()) reference_by_hash[run.config_hash] = run;
    const auto runs = shared.runs();
    QCOMPARE(runs.size(), size_t{kRuns});
    int restarted = 0;
    for (const auto& run : runs) {
      QCOMPARE(run.status, RunStatus::Done);
      QVERIFY(run.attempts == 1 || run.attempts == 2);
      restarted += run.attempts == 2;
      // The whole curve once: each step's loss exactly once, in order.
      std::vector<int64_t> loss_steps;
      for (const auto& point : shared.metrics(run.id)) {
        if (point.name == "loss") loss_steps.push_back(point.step);
      }
      QCOMPARE(loss_steps.size(), size_t{kSteps});
      for (int64_t step = 1; step <= kSteps; ++step) QCOMPARE(loss_steps[step - 1], step);

      const auto& twin = reference_by_hash.at(run.config_hash);
      QCOMPARE(run.result->metric, twin.result->metric);  // bit for bit
      QCOMPARE(run.result->size_bytes, twin.result->size_bytes);
      const auto curve = shared.metrics(run.id);
      const auto twin_curve = reference.metrics(twin.id);
      QCOMPARE(curve.size(), twin_curve.size());
      for (size_t i = 0; i < curve.size(); ++i) {
        if (curve[i].name == "examples_per_second") continue;  // a speed, not a result
        QCOMPARE(curve[i].name, twin_curve[i].name);
        QCOMPARE(curve[i].value, twin_curve[i].value);
      }
      // The compressed model, byte for byte (the header also holds wall time and device).
      const auto file = parse_qnz(*shared.checkpoint(run.id));
      const auto twin_file = parse_qnz(*reference.checkpoint(twin.id));
      QVERIFY(file.bytes.substr(file.header_bytes) == twin_file.bytes.substr(twin_file.header_bytes));
      QCOMPARE(file.config, twin_file.config);
      QCOMPARE(file.result["metric"], twin_file.result["metric"]);
    }
    // The killed worker's run, taken again by another at once (its process is gone).
    QCOMPARE(restarted, killed_mid_run ? 1 : 0);
    if (killed_mid_run) QCOMPARE(shared.run(*victim)->attempts, int64_t{2});
  }

  void a_stopped_server_stops_the_worker_with_a_clear_error_and_loses_nothing() {
    const auto spec = write_spec(dir_.filePath("outage.json"), 3, 80);
    const auto uri = server_.create_database("outage");
    QCOMPARE(run_to_end({"sweep", "--spec", spec, "--db", quoted(uri), "--queue-only"}), 0);
    QProcess worker;
    worker.start(QStringLiteral(QNOISE_PATH), {"worker", "--db", quoted(uri)});
    QVERIFY(worker.waitForStarted());
    // Once the first run is done and the second under way, the server goes.
    std::optional<StoredRun> first;
    for (int tries = 0; tries < 2400 && !first; ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      RunStore store(uri);
      const auto runs = store.runs();
      if (runs[0].status == RunStatus::Done && runs[1].status == RunStatus::Running) first = runs[0];
      QVERIFY2(runs[1].status != RunStatus::Done, "the second run ended before the server could stop");
    }
    QVERIFY(first.has_value());
    QVERIFY(server_.stop());
    // It retries for PostgresDatabase::kReconnectSeconds, then stops, saying why.
    QVERIFY(worker.waitForFinished(120000));
    QCOMPARE(worker.exitCode(), 1);
    const auto error = worker.readAllStandardError().toStdString();
    QVERIFY2(error.find("lost the connection to PostgreSQL") != std::string::npos, error.c_str());

    QVERIFY(server_.start());
    {
      RunStore store(uri);
      const auto kept = *store.run(first->id);
      QCOMPARE(kept.status, RunStatus::Done);  // nothing done is lost
      QCOMPARE(kept.result->metric, first->result->metric);
    }
    // A new worker on this host finds the stopped one's run gone with it and runs the rest.
    QCOMPARE(run_to_end({"worker", "--db", quoted(uri)}), 0);
    RunStore store(uri);
    for (const auto& run : store.runs()) QCOMPARE(run.status, RunStatus::Done);
  }

  void a_sweep_killed_and_resumed_at_once_ends_with_every_run_done() {
    const auto spec = write_spec(dir_.filePath("resume.json"), 2, 40);
    const auto uri = server_.create_database("resume");
    QProcess sweep;
    sweep.start(QStringLiteral(QNOISE_PATH), {"sweep", "--spec", spec, "--db", quoted(uri)});
    QVERIFY(sweep.waitForStarted());
    QVERIFY(wait_for_running_run_of(uri, sweep.processId()).has_value());
    sweep.kill();
    QVERIFY(sweep.waitForFinished());
    QCOMPARE(run_to_end({"sweep", "--spec", spec, "--db", quoted(uri), "--resume"}), 0);
    RunStore store(uri);
    for (const auto& run : store.runs()) QCOMPARE(run.status, RunStatus::Done);
    QCOMPARE(store.runs().size(), size_t{2});
  }
};

QTEST_GUILESS_MAIN(TestPostgresCli)
#include "test_postgres_cli.moc"
