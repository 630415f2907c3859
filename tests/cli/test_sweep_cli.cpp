// Sweeps through the CLI against one store: a sweep killed with SIGKILL mid-run and
// resumed, two sweeps writing at once, variants that share one training (and
// --train-each, which trains each), and a --db that is not a store.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <map>
#include <thread>

#include "cli_support.h"
#include "io/qnz_reader.h"
#include "store/run_store.h"

using namespace qn;
using nlohmann::json;
using test::run_to_end;

namespace {

QString write_spec(const QString& path, std::vector<int64_t> seeds, int64_t steps) {
  return test::write_sweep_spec(path, seeds, steps);
}

std::string run_output(const QStringList& arguments) {
  QProcess process;
  process.start(QStringLiteral(QNOISE_PATH), arguments);
  process.waitForFinished(60000);
  return process.readAllStandardOutput().toStdString();
}

int count_status(RunStore& store, RunStatus status) {
  int count = 0;
  for (const auto& run : store.runs()) count += run.status == status;
  return count;
}

}  // namespace

class TestSweepCli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

 private Q_SLOTS:
  void post_training_variants_share_one_training_unless_told_not_to() {
    const json spec = {{"name", "shared"},
                       {"base",
                        {{"device", "cpu"},
                         {"data", {{"train_limit", 512}, {"eval_limit", 1000}}},
                         {"train", {{"max_steps", 12}, {"batch_size", 32}}}}},
                       {"variants",
                        {{{"quant", {{"method", "int"}, {"bits", 8}}}},
                         {{"quant", {{"method", "int"}, {"bits", 4}}}},
                         {{"quant", {{"method", "pq"}, {"centroids", 16}}}}}}};
    const auto spec_path = dir_.filePath("shared.json");
    std::ofstream(spec_path.toStdString()) << spec.dump();
    const auto shared_flags = [&](const QString& db, QStringList extra) {
      QStringList arguments{"sweep", "--spec", spec_path, "--db", db};
      arguments += extra;
      if (run_to_end(arguments) != 0) return std::vector<bool>{};
      RunStore store(db.toStdString());
      std::vector<bool> shared;
      for (const auto& run : store.runs()) {
        const auto result = parse_qnz(*store.checkpoint(run.id)).result;
        shared.push_back(result["shared_training"].get<bool>());
      }
      return shared;
    };
    QCOMPARE(shared_flags(dir_.filePath("train-once.sqlite"), {}), (std::vector<bool>{false, true, true}));
    QCOMPARE(shared_flags(dir_.filePath("train-each.sqlite"), {"--train-each"}),
             (std::vector<bool>{false, false, false}));
    // The same results either way.
    RunStore shared(dir_.filePath("train-once.sqlite").toStdString());
    RunStore each(dir_.filePath("train-each.sqlite").toStdString());
    for (int64_t id = 1; id <= 3; ++id) {
      QCOMPARE(shared.run(id)->result->metric, each.run(id)->result->metric);
      QCOMPARE(shared.run(id)->result->size_bytes, each.run(id)->result->size_bytes);
    }
    auto kept = shared.database().prepare("SELECT count(*) FROM trained_models");
    kept.step();
    QCOMPARE(kept.integer(0), int64_t{0});  // dropped once no run could use it
  }

  void a_killed_sweep_resumes_and_runs_each_config_once() {
    const auto db = dir_.filePath("killed.sqlite");
    const auto spec = write_spec(dir_.filePath("killed.json"), {0, 1, 2}, 60);
    QProcess sweep;
    sweep.start(QStringLiteral(QNOISE_PATH), {"sweep", "--spec", spec, "--db", db});
    QVERIFY(sweep.waitForStarted());

    // Wait until the first run is done and the second has written some of its curve.
    std::optional<StoredRun> first;
    for (int tries = 0; tries < 1200; ++tries) {  // up to 10 minutes on a busy machine
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      if (!QFile::exists(db)) continue;
      RunStore store(db.toStdString());
      const auto runs = store.runs();
      if (runs.size() == 3 && runs[0].status == RunStatus::Done &&
          runs[1].status == RunStatus::Running && !store.metrics(runs[1].id).empty()) {
        first = runs[0];
        break;
      }
    }
    QVERIFY2(first.has_value(), "the sweep never reached its second run");
    const int64_t pid = sweep.processId();
    sweep.kill();  // SIGKILL: no handler, no cleanup
    QVERIFY(sweep.waitForFinished());
    {
      RunStore store(db.toStdString());
      QCOMPARE(count_status(store, RunStatus::Running), 1);  // left behind by the dead process
    }
    // The listing sees at once that the run's worker is gone (this host, no such process):
    // interrupted, with the stage and step of 60 it reached, and the worker it had.
    const auto during = json::parse(run_output({"runs", "--db", db, "--format", "json"}));
    QCOMPARE(during["runs"][1]["status"].get<std::string>(), std::string("interrupted"));
    const auto& progress = during["runs"][1]["progress"];
    QCOMPARE(progress["stage"].get<std::string>(), std::string("training"));
    QCOMPARE(progress["total_steps"].get<int64_t>(), int64_t{60});
    QVERIFY(progress["step"].get<int64_t>() >= 1);
    QCOMPARE(during["runs"][1]["worker"]["pid"].get<int64_t>(), pid);

    // Resumed at once: the killed run's heartbeat is still fresh, but its worker is provably
    // gone (this host, no such process), so it is run again now, not 30 s later.
    QCOMPARE(run_to_end({"sweep", "--spec", spec, "--db", db, "--resume"}), 0);
    RunStore store(db.toStdString());
    const auto runs = store.runs();
    QCOMPARE(runs.size(), size_t{3});
    std::set<std::string> hashes;
    for (const auto& run : runs) {
      QCOMPARE(run.status, RunStatus::Done);
      hashes.insert(run.config_hash);
      // One curve a run: the killed attempt's partial metrics were dropped.
      QCOMPARE(store.metrics(run.id).size(), size_t{3 * 60 + 2});  // steps, float and compressed metric
    }
    QCOMPARE(hashes.size(), size_t{3});
    QCOMPARE(runs[0].attempts, int64_t{1});
    QCOMPARE(runs[1].attempts, int64_t{2});
    QCOMPARE(runs[2].attempts, int64_t{1});
    QCOMPARE(runs[0].result->metric, first->result->metric);  // earlier results unchanged
    QCOMPARE(runs[0].result->size_bytes, first->result->size_bytes);

    // The listing contract (docs/cli.md, The command line), and the front is a
    // subset of the runs.
    const auto listed = json::parse(run_output({"runs", "--db", db, "--format", "json"}));
    QCOMPARE(listed["runs"].size(), size_t{3});
    for (const char* key : {"id", "status", "config", "config_hash", "metric_name", "metric",
                            "size_bytes", "compression"}) {
      QVERIFY2(listed["runs"][0].contains(key), key);
    }
    QCOMPARE(listed["runs"][1]["status"].get<std::string>(), std::string("done"));
    const auto front = json::parse(run_output({"pareto", "--db", db, "--format", "json"}));
    QVERIFY(!front["runs"].empty() && front["runs"].size() <= 3);
  }

  void workers_share_a_queued_sweep_and_run_each_run_once() {
    const auto db = dir_.filePath("workers.sqlite");
    const auto spec = write_spec(dir_.filePath("workers.json"), {30, 31, 32, 33}, 30);
    QCOMPARE(run_to_end({"sweep", "--spec", spec, "--db", db, "--queue-only"}), 0);
    {
      RunStore store(db.toStdString());
      QCOMPARE(count_status(store, RunStatus::Queued), 4);
    }
    QProcess first, second;
    for (auto* worker : {&first, &second}) {
      worker->start(QStringLiteral(QNOISE_PATH),
                    {"worker", "--db", db, "--threads", "1", "--json"});
    }
    // While they run, the listing shows a running run's stage and step.
    bool progress_shown = false;
    for (int tries = 0; tries < 600 && !progress_shown; ++tries) {
      progress_shown = run_output({"runs", "--db", db}).find("[training ") != std::string::npos;
    }
    QVERIFY(progress_shown);
    QVERIFY(first.waitForFinished(600000) && second.waitForFinished(600000));
    QCOMPARE(first.exitCode(), 0);
    QCOMPARE(second.exitCode(), 0);
    const auto a = json::parse(first.readAllStandardOutput().toStdString());
    const auto b = json::parse(second.readAllStandardOutput().toStdString());
    QCOMPARE(a["done"].get<int>() + b["done"].get<int>(), 4);

    RunStore store(db.toStdString());
    std::map<int64_t, int> runs_by_pid;
    for (const auto& run : store.runs()) {
      QCOMPARE(run.status, RunStatus::Done);
      QCOMPARE(run.attempts, int64_t{1});  // no run taken twice
      QCOMPARE(store.metrics(run.id).size(), size_t{3 * 30 + 2});
      ++runs_by_pid[run.worker->pid];
    }
    QCOMPARE(runs_by_pid[a["pid"].get<int64_t>()], a["done"].get<int>());
    QCOMPARE(runs_by_pid[b["pid"].get<int64_t>()], b["done"].get<int>());
  }

  void an_idle_worker_waits_for_new_runs_then_stops() {
    const auto db = dir_.filePath("idle.sqlite");
    QProcess worker;
    worker.start(QStringLiteral(QNOISE_PATH), {"worker", "--db", db, "--idle-exit", "5", "--json"});
    QVERIFY(worker.waitForStarted());
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    const auto spec = write_spec(dir_.filePath("idle.json"), {40}, 10);
    QCOMPARE(run_to_end({"sweep", "--spec", spec, "--db", db, "--queue-only"}), 0);
    QVERIFY(worker.waitForFinished(300000));
    QCOMPARE(worker.exitCode(), 0);
    QCOMPARE(json::parse(worker.readAllStandardOutput().toStdString())["done"].get<int>(), 1);
  }

  void two_sweeps_write_one_store_at_once_and_lose_nothing() {
    const auto db = dir_.filePath("shared.sqlite");
    const auto a = write_spec(dir_.filePath("a.json"), {10, 11}, 40);
    const auto b = write_spec(dir_.filePath("b.json"), {20, 21}, 40);
    QProcess first, second, reader;
    // --parallel: both train at once (by default the second would wait for the device).
    first.start(QStringLiteral(QNOISE_PATH), {"sweep", "--spec", a, "--db", db, "--parallel"});
    second.start(QStringLiteral(QNOISE_PATH), {"sweep", "--spec", b, "--db", db, "--parallel"});
    // A reader at the same time, as the GUI would be.
    for (int i = 0; i < 20; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      QCOMPARE(run_to_end({"runs", "--db", db, "--format", "json"}), 0);
    }
    QVERIFY(first.waitForFinished(600000) && second.waitForFinished(600000));
    RunStore store(db.toStdString());
    for (const auto& run : store.runs()) {
      if (run.status != RunStatus::Done) qWarning("run %lld: %s", (long long)run.id, run.error.c_str());
    }
    QCOMPARE(first.exitCode(), 0);
    QCOMPARE(second.exitCode(), 0);
    QCOMPARE(store.runs().size(), size_t{4});
    QCOMPARE(count_status(store, RunStatus::Done), 4);
    for (const auto& run : store.runs()) {
      QCOMPARE(store.metrics(run.id).size(), size_t{3 * 40 + 2});
    }
  }

  void a_db_that_is_not_a_store_is_refused_and_kept() {
    const auto path = dir_.filePath("thesis.sqlite");
    {
      QFile file(path);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write("chapter one: it was a dark and stormy night");
    }
    QProcess process;
    process.start(QStringLiteral(QNOISE_PATH), {"runs", "--db", path});
    QVERIFY(process.waitForFinished());
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("not a SQLite database"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("chapter one: it was a dark and stormy night"));
  }
};

QTEST_GUILESS_MAIN(TestSweepCli)
#include "test_sweep_cli.moc"
