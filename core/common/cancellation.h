#pragma once

#include <atomic>

#include "common/error.h"

namespace qn {

// Asks long work to stop. Set from any thread (the GUI's Cancel button, the run queue's
// heartbeat); every stage of a run checks it between units of work it can abandon (a
// training step, a k-means iteration or distance chunk, a layer, a batch) and stops with
// RunCancelled. Plain C++ rather than a toolkit signal, as FAISS's InterruptCallback: the
// engine stays free of any UI toolkit. A check is one relaxed atomic load.
class CancelToken {
 public:
  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

// The work stopped because its CancelToken was cancelled: neither the user's input nor a
// failure, so the store records the run as cancelled.
class RunCancelled : public Error {
 public:
  RunCancelled() : Error("the run was cancelled") {}
};

// The work stopped because the process doing it is stopping (the GUI quitting), not
// because anyone cancelled the run: the store records the run as interrupted, and it
// resumes later.
class RunInterrupted : public RunCancelled {
 public:
  RunInterrupted() = default;
};

// Throws RunCancelled if `cancel` is given and cancelled. Work that takes an optional token
// (nullptr: it cannot be cancelled) calls this between its units of work.
inline void throw_if_cancelled(const CancelToken* cancel) {
  if (cancel && cancel->cancelled()) throw RunCancelled();
}

}  // namespace qn
