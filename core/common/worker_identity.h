#pragma once
// Which process runs a run: recorded with each claim, so that a run whose process is
// provably gone can go back to the queue at once instead of after the stale-heartbeat time.
#include <cstdint>
#include <string>

namespace qn {

struct WorkerIdentity {
  std::string host;     // gethostname()
  int64_t pid = 0;
  // The kernel's boot id and the process's start time (clock ticks after boot): a pid
  // reused by a later process, or a pid from before a reboot, does not match it.
  std::string started;
};

// This process.
WorkerIdentity this_worker();

// Whether `worker` is certainly not running any more: it ran on this host, and this boot
// has no process of its pid that started when it did. A worker on another host cannot be
// checked from here: false (its heartbeat decides). Hosts are told apart by name, so
// machines (or containers with their own pid space) sharing a host name must not share a
// store.
bool provably_gone(const WorkerIdentity& worker);

}  // namespace qn
