#pragma once

#include "queue_counts.h"

class QWidget;

namespace qn::ui {

enum class QuitChoice {
  StayOpen,     // the user changed their mind
  FinishFirst,  // quit once the queue is empty
  LeaveQueued,  // quit now: the running run becomes interrupted, all resume at next start
  CancelRuns,   // cancel the running and queued runs, then quit
};

// Asks what becomes of the runs when the user quits while this window trains them.
QuitChoice ask_how_to_quit(QWidget* parent, const QueueCounts& counts);

}  // namespace qn::ui
