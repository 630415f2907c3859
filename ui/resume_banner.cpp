#include "resume_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>

namespace qn::ui {
namespace {

constexpr auto kResumeAtStartKey = "queue/resume_at_start";

QString describe_waiting(const QueueCounts& counts) {
  QStringList parts;
  if (counts.queued > 0) parts << QStringLiteral("%1 queued").arg(counts.queued);
  if (counts.interrupted > 0) {
    parts << QStringLiteral("%1 interrupted (cut off by a quit or a crash; resumed, %2 "
                            "again from the beginning)")
                 .arg(counts.interrupted)
                 .arg(counts.interrupted == 1 ? "it starts" : "they start");
  }
  return QStringLiteral("%1 run%2 of this store wait%3: %4. Nothing trains them until you resume.")
      .arg(counts.waiting())
      .arg(counts.waiting() == 1 ? "" : "s")
      .arg(counts.waiting() == 1 ? "s" : "")
      .arg(parts.join(", "));
}

}  // namespace

ResumeBanner::ResumeBanner(QWidget* parent) : QFrame(parent), text_(new QLabel) {
  setFrameShape(QFrame::StyledPanel);
  setAutoFillBackground(true);
  setBackgroundRole(QPalette::ToolTipBase);
  text_->setWordWrap(true);
  auto* resume = new QPushButton("Resume &now");
  auto* always = new QPushButton("Resume at every start");
  always->setToolTip("Resume waiting runs without asking whenever QNStudio opens a store");
  auto* later = new QPushButton("Not now");
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(text_, 1);
  layout->addWidget(resume);
  layout->addWidget(always);
  layout->addWidget(later);
  connect(resume, &QPushButton::clicked, this, [this] {
    hide();
    Q_EMIT resumeRequested();
  });
  connect(always, &QPushButton::clicked, this, [this] {
    QSettings().setValue(kResumeAtStartKey, true);
    hide();
    Q_EMIT resumeRequested();
  });
  connect(later, &QPushButton::clicked, this, &QWidget::hide);
  hide();
}

bool ResumeBanner::resumes_at_start() { return QSettings().value(kResumeAtStartKey, false).toBool(); }

void ResumeBanner::offer(const QueueCounts& counts) {
  text_->setText(describe_waiting(counts));
  setVisible(counts.waiting() > 0);
}

}  // namespace qn::ui
