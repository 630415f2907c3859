#include "qnoise_job.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace qn::ui {

QnoiseJob::QnoiseJob(QObject* parent) : QObject(parent), process_(new QProcess(this)) {
  connect(process_, &QProcess::readyReadStandardError, this, [this] {
    while (process_->canReadLine()) {
      const auto line = QString::fromUtf8(process_->readLine()).trimmed();
      if (line.isEmpty()) continue;
      last_error_line_ = line;
      Q_EMIT progress(line);
    }
  });
  process_->setReadChannel(QProcess::StandardError);
  connect(process_, &QProcess::finished, this, &QnoiseJob::on_finished);
  connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
    if (error == QProcess::FailedToStart) {
      Q_EMIT failed(QStringLiteral("cannot start %1: %2").arg(program(), process_->errorString()));
    }
  });
}

QnoiseJob::~QnoiseJob() {
  if (running()) {
    process_->disconnect(this);
    process_->kill();
    process_->waitForFinished(5000);
  }
}

QString QnoiseJob::program() {
  const auto beside = QDir(QCoreApplication::applicationDirPath()).filePath("qnoise");
  if (QFileInfo(beside).isExecutable()) return beside;
  const auto on_path = QStandardPaths::findExecutable("qnoise");
  return on_path.isEmpty() ? QStringLiteral("qnoise") : on_path;
}

bool QnoiseJob::running() const { return process_->state() != QProcess::NotRunning; }

bool QnoiseJob::start(const QStringList& arguments, const RunConfig& config) {
  if (running()) return false;
  config_file_ = std::make_unique<QTemporaryFile>(QDir::temp().filePath("qnstudio-XXXXXX.json"));
  if (!config_file_->open()) {
    Q_EMIT failed("cannot write a temporary config file: " + config_file_->errorString());
    return false;
  }
  config_file_->write(QByteArray::fromStdString(to_json(config).dump()));
  config_file_->flush();
  cancelled_ = false;
  last_error_line_.clear();
  process_->start(program(), arguments + QStringList{"--config", config_file_->fileName(), "--json"});
  return true;
}

void QnoiseJob::cancel() {
  if (!running()) return;
  cancelled_ = true;
  process_->kill();
}

void QnoiseJob::on_finished(int exit_code, QProcess::ExitStatus status) {
  config_file_.reset();
  if (cancelled_) {
    Q_EMIT failed("cancelled");
    return;
  }
  if (status != QProcess::NormalExit || exit_code != 0) {
    Q_EMIT failed(last_error_line_.isEmpty() ? QStringLiteral("qnoise exited with status %1").arg(exit_code)
                                             : last_error_line_);
    return;
  }
  const auto output = process_->readAllStandardOutput().trimmed();
  const auto last_line = output.mid(output.lastIndexOf('\n') + 1);
  auto answer = nlohmann::json::parse(last_line.toStdString(), nullptr, false);
  if (answer.is_discarded()) {
    Q_EMIT failed("qnoise answered no JSON: " + QString::fromUtf8(last_line.left(200)));
    return;
  }
  Q_EMIT finished(std::move(answer));
}

}  // namespace qn::ui
