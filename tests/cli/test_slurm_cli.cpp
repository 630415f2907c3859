// `qnoise sweep --slurm` on a real single-node Slurm cluster (started by the suite): the
// sbatch script of a job array of workers, then a sweep that the array's tasks run to the
// end, with the job id recorded in the sweep.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <thread>

#include "cli_support.h"
#include "slurm_cluster.h"
#include "store/run_store.h"

using namespace qn;

namespace {

QString write_spec(const QString& path, std::vector<int64_t> seeds) {
  return test::write_sweep_spec(path, seeds, 10, 512, 8);
}

std::pair<int, std::string> run_qnoise(const QStringList& arguments) {
  QProcess process;
  process.start(QStringLiteral(QNOISE_PATH), arguments);
  process.waitForFinished(120000);
  if (process.exitCode() != 0) qWarning("%s", process.readAllStandardError().constData());
  return {process.exitCode(), process.readAllStandardOutput().toStdString()};
}

}  // namespace

class TestSlurmCli : public QObject {
  Q_OBJECT

 private:
  test::SlurmCluster cluster_;
  QTemporaryDir dir_;

 private Q_SLOTS:
  void initTestCase() { QVERIFY2(cluster_.ready(), cluster_.error().c_str()); }

  void the_script_runs_one_worker_a_task() {
    const auto db = dir_.filePath("dry.sqlite");
    const auto [code, script] =
        run_qnoise({"sweep", "--spec", write_spec(dir_.filePath("dry.json"), {0, 1, 2}), "--db", db,
                    "--slurm", "--array", "3", "--partition", "debug", "--time", "0:30:00",
                    "--dry-run", "--slurm-dir", dir_.filePath("logs")});
    QCOMPARE(code, 0);
    for (const std::string& line : std::vector<std::string>{
             "#!/bin/bash", "#SBATCH --array=0-2", "#SBATCH --partition=debug", "#SBATCH --time=0:30:00",
          "#SBATCH --job-name=qnoise-sweep-1", " worker --db '" + db.toStdString() + "'"}) {
      QVERIFY2(script.find(line) != std::string::npos, line.c_str());
    }
    QVERIFY(script.find("--gpus-per-task") == std::string::npos);
    QCOMPARE(RunStore(db.toStdString()).count_runs(RunStatus::Queued), int64_t{3});
  }

  void a_job_array_runs_the_sweep_to_the_end() {
    const auto db = dir_.filePath("array.sqlite");
    const auto [code, output] =
        run_qnoise({"sweep", "--spec", write_spec(dir_.filePath("array.json"), {0, 1, 2}), "--db",
                    db, "--slurm", "--array", "2", "--slurm-dir", dir_.filePath("array-logs")});
    QCOMPARE(code, 0);
    QVERIFY2(output.find("Slurm job ") != std::string::npos, output.c_str());
    const auto job = RunStore(db.toStdString()).slurm_job(1);
    QVERIFY(job.has_value() && !job->empty());

    bool done = false;
    for (int tries = 0; tries < 600 && !done; ++tries) {  // up to 5 minutes
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      done = RunStore(db.toStdString()).count_runs(RunStatus::Done) == 3;
    }
    QVERIFY2(done, "the job's workers did not finish the sweep");
    QVERIFY(QFile::exists(dir_.filePath("array-logs/sweep-1.sbatch")));
    // Each task wrote its log; the runs name the host they ran on.
    QVERIFY(QDir(dir_.filePath("array-logs")).entryList({"worker-*.log"}).size() >= 1);
    for (const auto& run : RunStore(db.toStdString()).runs()) QVERIFY(run.worker.has_value());
  }
};

QTEST_GUILESS_MAIN(TestSlurmCli)
#include "test_slurm_cli.moc"
