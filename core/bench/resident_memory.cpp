#include "bench/resident_memory.h"

#include <fstream>
#include <sstream>
#include <string>

#include "common/error.h"

namespace qn {
namespace {

// A "Name:   1234 kB" line of /proc/self/status, in bytes.
int64_t status_bytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::istringstream value(line.substr(field.size() + 1));
    int64_t kilobytes = 0;
    value >> kilobytes;
    return kilobytes * 1024;
  }
  throw RuntimeFailure("/proc/self/status has no " + field + " line (not Linux?)");
}

}  // namespace

int64_t resident_bytes() { return status_bytes("VmRSS"); }

int64_t anonymous_resident_bytes() { return status_bytes("RssAnon"); }

int64_t peak_resident_bytes() { return status_bytes("VmHWM"); }

void reset_peak_resident_memory() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
  clear_refs.flush();
  if (!clear_refs) {
    throw RuntimeFailure("cannot reset the peak resident memory (/proc/self/clear_refs)");
  }
}

}  // namespace qn
