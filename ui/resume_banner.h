#pragma once

#include <QFrame>

#include "queue_counts.h"

class QLabel;

namespace qn::ui {

// The bar above the runs that offers, when a store opens with runs waiting (queued, or
// interrupted by a quit or a crash), to resume them: once, or from now on at every start
// without asking (kept in QSettings as queue/resume_at_start). Not a dialog: the window
// stays usable and a test or a screenshot is never blocked by it.
class ResumeBanner : public QFrame {
  Q_OBJECT

 public:
  explicit ResumeBanner(QWidget* parent = nullptr);

  // Whether the user chose to resume at every start.
  static bool resumes_at_start();
  // Shows the offer for `counts` (hidden when nothing waits).
  void offer(const QueueCounts& counts);

 Q_SIGNALS:
  void resumeRequested();

 private:
  QLabel* text_;
};

}  // namespace qn::ui
