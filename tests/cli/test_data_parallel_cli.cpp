// One run across processes (qnoise train --nproc; torchrun's environment): two processes on
// this machine, Gloo between them, train what one process trains on the same global batch,
// drawing the same noise masks, so where no BatchNorm is (the Transformer LM, dropout off)
// the loss curves agree to float rounding. Rank 0 alone stores the run and prints; a rank
// that dies stops the run with an error instead of a hang; a bad environment is exit 2
// naming the variable.
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <csignal>
#include <thread>

#include "cli_support.h"
#include "store/run_store.h"

using namespace qn;
using test::Outcome;
using test::run_qnoise;

namespace {

// A tiny language model with Quant-Noise (every step draws masks) and no dropout.
QStringList tiny_lm_run(const QString& db, int64_t steps) {
  QStringList arguments = {"train", "--config", QNS_SOURCE_DIR "/resources/presets/brown-transformer-lm.json",
                           "--db", db, "--device", "cpu", "--json"};
  for (const char* assignment :
       {"model.dim=32", "model.heads=2", "model.ffn=64", "model.dropout=0", "data.vocabulary_cap=2000",
        "data.train_limit=2048", "data.eval_limit=64", "train.warmup_steps=2", "quant.method=int",
        "quant.bits=4", "noise.mode=quant-noise", "noise.p=0.5"}) {
    arguments << "--set" << assignment;
  }
  arguments << "--set" << QString("train.max_steps=%1").arg(steps);
  return arguments;
}

std::vector<double> losses(RunStore& store, int64_t run_id) {
  std::vector<double> values;
  for (const auto& point : store.metrics(run_id)) {
    if (point.name == "loss") values.push_back(point.value);
  }
  return values;
}

Outcome run_with_environment(const QStringList& arguments,
                             const std::vector<std::pair<QString, QString>>& variables) {
  QProcess process;
  auto environment = QProcessEnvironment::systemEnvironment();
  for (const auto& [name, value] : variables) environment.insert(name, value);
  process.setProcessEnvironment(environment);
  process.start(QStringLiteral(QNOISE_PATH), arguments);
  if (!process.waitForFinished(120000)) return {};
  return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

// The pids of `parent`'s children (Linux: /proc/PID/task/TID/children).
std::vector<int64_t> children_of(int64_t parent) {
  std::vector<int64_t> pids;
  QDir tasks(QString("/proc/%1/task").arg(parent));
  for (const auto& task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    QFile file(tasks.filePath(task + "/children"));
    if (!file.open(QIODevice::ReadOnly)) continue;
    for (const auto& pid : file.readAll().split(' ')) {
      if (!pid.trimmed().isEmpty()) pids.push_back(pid.trimmed().toLongLong());
    }
  }
  return pids;
}

}  // namespace

class TestDataParallelCli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

 private Q_SLOTS:
  void two_processes_train_what_one_trains_on_the_same_global_batch() {
    constexpr int64_t kSteps = 20;
    const auto one_db = dir_.filePath("one.sqlite");
    const auto two_db = dir_.filePath("two.sqlite");
    const auto one = run_qnoise(tiny_lm_run(one_db, kSteps));
    QVERIFY2(one.exit_code == 0, one.err.constData());
    const auto two = run_qnoise(tiny_lm_run(two_db, kSteps) << "--nproc" << "2");
    QVERIFY2(two.exit_code == 0, two.err.constData());
    QCOMPARE(two.out.trimmed().count('\n'), 0);  // one JSON line: rank 0's

    RunStore single(one_db.toStdString());
    RunStore parallel(two_db.toStdString());
    QCOMPARE(parallel.runs().size(), size_t{1});  // rank 0 alone writes
    const auto run = parallel.runs().front();
    QCOMPARE(run.status, RunStatus::Done);
    QVERIFY2(run.device.find("2 processes (Gloo)") != std::string::npos, run.device.c_str());

    const auto expected = losses(single, single.runs().front().id);
    const auto got = losses(parallel, run.id);
    QCOMPARE(got.size(), size_t{kSteps});
    QCOMPARE(expected.size(), got.size());
    double largest = 0;
    for (size_t step = 0; step < got.size(); ++step) {
      largest = std::max(largest, std::abs(got[step] - expected[step]) / std::abs(expected[step]));
    }
    qInfo("largest relative loss difference over %lld steps: %.3g", static_cast<long long>(kSteps),
          largest);
    // Float sums in another order, nothing more: a wrong share, weight or mask is percent.
    QVERIFY2(largest < 1e-4, qPrintable(QString::number(largest)));
    const double metric = run.result->metric, reference = single.runs().front().result->metric;
    QVERIFY2(std::abs(metric - reference) / reference < 1e-3,
             qPrintable(QString("%1 vs %2").arg(metric).arg(reference)));
  }

  void a_rank_that_dies_fails_the_run_instead_of_hanging() {
    const auto db = dir_.filePath("killed.sqlite");
    QProcess rank0;
    rank0.start(QStringLiteral(QNOISE_PATH), tiny_lm_run(db, 100000) << "--nproc" << "2");
    QVERIFY(rank0.waitForStarted());
    std::optional<int64_t> peer;
    for (int tries = 0; tries < 600 && !peer; ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      RunStore store(db.toStdString());
      const auto runs = store.runs();
      if (runs.empty() || losses(store, runs.front().id).empty()) continue;
      const auto children = children_of(rank0.processId());
      if (!children.empty()) peer = children.front();
    }
    QVERIFY2(peer.has_value(), "rank 1 never trained");
    QVERIFY(::kill(static_cast<pid_t>(*peer), SIGKILL) == 0);
    QVERIFY2(rank0.waitForFinished(120000), "rank 0 still waits for the rank that died");
    QCOMPARE(rank0.exitCode(), 1);
    RunStore store(db.toStdString());
    QCOMPARE(store.runs().front().status, RunStatus::Failed);
  }

  void a_bad_environment_is_exit_2_naming_the_variable() {
    const auto db = dir_.filePath("bad.sqlite");
    const auto arguments = tiny_lm_run(db, 2);
    auto outcome = run_with_environment(arguments, {{"WORLD_SIZE", "2"}});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY2(outcome.err.contains("RANK"), outcome.err.constData());
    outcome = run_with_environment(arguments, {{"WORLD_SIZE", "2"}, {"RANK", "5"}});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY2(outcome.err.contains("RANK='5'"), outcome.err.constData());
    outcome = run_with_environment(arguments, {{"WORLD_SIZE", "two"}, {"RANK", "0"}});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY2(outcome.err.contains("WORLD_SIZE='two'"), outcome.err.constData());
    outcome = run_with_environment(QStringList(arguments) << "--nproc" << "2",
                                   {{"WORLD_SIZE", "2"}, {"RANK", "0"}});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY2(outcome.err.contains("--nproc"), outcome.err.constData());
    QVERIFY(!QFile::exists(db) || RunStore(db.toStdString()).runs().empty());  // nothing stored
  }
};

QTEST_GUILESS_MAIN(TestDataParallelCli)
#include "test_data_parallel_cli.moc"
