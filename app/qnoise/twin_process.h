#pragma once
// A benchmark's twin: another program (the same model and loop in PyTorch, or FAISS's
// k-means) timed by the same harness as the engine, its blocks interleaved with the
// engine's in one shuffled schedule (core/bench/interleaved_bench.h). The twin runs as a
// child process speaking one JSON object a line on its stdin and stdout:
//   qnoise -> twin  {"setup": {...}}           what to build (the bench decides)
//   twin -> qnoise  {"variants": [names], "versions": {...}, ...}
//   qnoise -> twin  {"variant": NAME, "steps": N}
//   twin -> qnoise  {"seconds_per_step": S}
// and exits when its stdin closes. Its stderr is this process's.
#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/interleaved_bench.h"

namespace qn::cli {

class TwinProcess {
 public:
  // Starts `command` (through /bin/sh), sends `setup` and reads the twin's answer; a
  // RuntimeFailure naming the command when it cannot start or does not answer.
  TwinProcess(const std::string& command, const nlohmann::json& setup);
  ~TwinProcess();
  TwinProcess(const TwinProcess&) = delete;
  TwinProcess& operator=(const TwinProcess&) = delete;

  const nlohmann::json& handshake() const { return handshake_; }
  double run_block(const std::string& variant, int64_t steps);

 private:
  void stop();  // closes the pipes (the twin's cue to exit) and waits for it
  nlohmann::json exchange(const nlohmann::json& request);

  std::string command_;
  pid_t pid_ = -1;
  int to_twin_ = -1;
  FILE* from_twin_ = nullptr;
  nlohmann::json handshake_;
};

// The twin's variants as the harness's, sharing the one process.
std::vector<BenchVariant> twin_variants(const std::shared_ptr<TwinProcess>& twin);

}  // namespace qn::cli
