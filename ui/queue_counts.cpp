#include "queue_counts.h"

namespace qn::ui {

QueueCounts count_queue(const std::vector<StoredRun>& runs) {
  QueueCounts counts;
  for (const auto& run : runs) {
    counts.running += run.status == RunStatus::Running;
    counts.queued += run.status == RunStatus::Queued;
    counts.interrupted += run.status == RunStatus::Interrupted;
  }
  return counts;
}

}  // namespace qn::ui
