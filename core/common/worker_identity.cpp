#include "common/worker_identity.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace qn {
namespace {

std::string boot_id() {
  std::ifstream file("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(file, id);
  return id;
}

// Field 22 of /proc/PID/stat (start time in clock ticks after boot); empty if no such
// process. The command name (field 2) may hold spaces and parentheses, so fields are
// counted from its closing parenthesis.
std::string start_ticks(int64_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(file, line)) return {};
  const auto name_end = line.rfind(')');
  if (name_end == std::string::npos) return {};
  std::istringstream fields(line.substr(name_end + 2));
  std::string field;
  for (int index = 3; index <= 22 && fields >> field; ++index) {
    if (index == 22) return field;
  }
  return {};
}

std::string host_name() {
  std::vector<char> name(256, '\0');
  if (gethostname(name.data(), name.size() - 1) != 0) return "unknown";
  return name.data();
}

std::string started_text(int64_t pid) {
  const auto ticks = start_ticks(pid);
  return ticks.empty() ? std::string() : boot_id() + "/" + ticks;
}

}  // namespace

WorkerIdentity this_worker() {
  const int64_t pid = getpid();
  return {host_name(), pid, started_text(pid)};
}

bool provably_gone(const WorkerIdentity& worker) {
  if (worker.host != host_name() || worker.pid <= 0 || worker.started.empty()) return false;
  return started_text(worker.pid) != worker.started;
}

}  // namespace qn
