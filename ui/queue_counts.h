#pragma once

#include <vector>

#include "store/run_store.h"

namespace qn::ui {

// How many of a store's runs are running, queued and interrupted: what the window asks
// about when it starts (ResumeBanner) and when it quits (ask_how_to_quit).
struct QueueCounts {
  int running = 0;
  int queued = 0;
  int interrupted = 0;

  int waiting() const { return queued + interrupted; }
};

QueueCounts count_queue(const std::vector<StoredRun>& runs);

}  // namespace qn::ui
