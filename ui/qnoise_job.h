#pragma once

#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryFile>
#include <memory>
#include <nlohmann/json.hpp>

#include "config/run_config.h"

namespace qn::ui {

// A qnoise command the window runs in a process of its own (`qnoise sensitivity`, `qnoise
// solve`): the engine's work stays off the UI thread and out of its address space, the
// command writes the store as it does from a shell, and Cancel kills it. Its stderr's stage
// lines ("[sensitivity 3/48: blocks.1.expand pq64]") come as progress; its one JSON line
// (--json) as the answer.
class QnoiseJob : public QObject {
  Q_OBJECT

 public:
  explicit QnoiseJob(QObject* parent = nullptr);
  ~QnoiseJob() override;  // kills a command still running

  // Starts `qnoise ARGUMENTS --config FILE --json`, `config` written to a temporary file.
  // False (nothing started) while another command of this job runs.
  bool start(const QStringList& arguments, const RunConfig& config);
  bool running() const;
  void cancel();  // then failed("cancelled")

  // The qnoise installed beside this program (the build's bin/, /usr/bin), else on PATH.
  static QString program();

 Q_SIGNALS:
  void progress(QString line);
  void finished(nlohmann::json answer);
  // It could not start, it exited with an error (`message` is its last line on stderr), or
  // it was cancelled.
  void failed(QString message);

 private:
  void on_finished(int exit_code, QProcess::ExitStatus status);

  QProcess* process_;
  std::unique_ptr<QTemporaryFile> config_file_;
  QString last_error_line_;
  bool cancelled_ = false;
};

}  // namespace qn::ui
