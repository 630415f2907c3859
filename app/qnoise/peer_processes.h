#pragma once
// `qnoise train --nproc N`: this process is rank 0; PeerProcesses starts ranks 1..N-1 as
// copies of this program with torchrun's environment (RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT, LOCAL_RANK), and stops any still running when it goes (so a failed rank 0
// leaves no rank waiting for it).
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace qn::cli {

class PeerProcesses {
 public:
  // Starts ranks 1..world_size-1 running `arguments` (argv[1..]) with their stdout
  // discarded (rank 0 reports) and their stderr shared (their errors show).
  PeerProcesses(const std::vector<std::string>& arguments, int world_size, uint16_t master_port);
  ~PeerProcesses();
  PeerProcesses(const PeerProcesses&) = delete;
  PeerProcesses& operator=(const PeerProcesses&) = delete;

  // Waits for every peer; throws a RuntimeFailure naming the first that did not exit 0.
  void wait_all();

 private:
  void stop_all();

  std::vector<pid_t> running_;
};

}  // namespace qn::cli
