#pragma once
// What the CLI suites share: a sweep spec of tiny Fashion-MNIST runs, and running qnoise.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtGlobal>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

namespace qn::test {

// A sweep of tiny Fashion-MNIST runs of intN (`bits`), one a seed, `steps` steps each on
// `train_limit` training images: long enough to be killed in the middle.
inline QString write_sweep_spec(const QString& path, const std::vector<int64_t>& seeds,
                                int64_t steps, int64_t train_limit = 1024, int64_t bits = 4) {
  const nlohmann::json spec = {{"name", "cli test"},
                               {"base",
                                {{"device", "cpu"},
                                 {"data", {{"train_limit", train_limit}, {"eval_limit", 1000}}},
                                 {"train", {{"max_steps", steps}, {"batch_size", 32}}},
                                 {"quant", {{"method", "int"}, {"bits", bits}}}}},
                               {"seeds", seeds}};
  std::ofstream(path.toStdString()) << spec.dump();
  return path;
}

// How a program ended: its exit code (-1 if it crashed or hung) and what it printed.
struct Outcome {
  int exit_code = -1;
  QByteArray out;
  QByteArray err;
};

inline Outcome run_program(const QString& program, const QStringList& arguments) {
  QProcess process;
  process.start(program, arguments);
  if (!process.waitForFinished(600000)) return {};
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
          process.readAllStandardOutput(), process.readAllStandardError()};
}

inline Outcome run_qnoise(const QStringList& arguments) {
  return run_program(QStringLiteral(QNOISE_PATH), arguments);
}

// The JSON object a --json command printed (its last line of stdout).
inline QJsonObject json_of(const Outcome& outcome) {
  return QJsonDocument::fromJson(outcome.out.trimmed().split('\n').last()).object();
}

// Runs qnoise (QNOISE_PATH) to its end; its exit code, -1 if it crashed or hung. Its
// stderr is logged when it fails.
inline int run_to_end(const QStringList& arguments) {
  QProcess process;
  process.start(QStringLiteral(QNOISE_PATH), arguments);
  if (!process.waitForFinished(600000)) return -1;
  if (process.exitCode() != 0) qWarning("%s", process.readAllStandardError().constData());
  return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

}  // namespace qn::test
