#include "bench/bench_machine.h"

#include <ATen/Parallel.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "common/runtime.h"

namespace qn {
namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

// The first mapped library whose file name says BLAS, resolved through its links.
std::string loaded_blas() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto path_start = line.find('/');
    if (path_start == std::string::npos) continue;
    const std::string path = line.substr(path_start);
    if (std::filesystem::path(path).filename().string().find("blas") == std::string::npos) {
      continue;
    }
    std::error_code error;
    const auto resolved = std::filesystem::canonical(path, error);
    return error ? path : resolved.string();
  }
  return "none mapped";
}

}  // namespace

nlohmann::json describe_bench_machine() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return {{"host", host},
          {"cpu", cpu_model()},
          {"cores", std::thread::hardware_concurrency()},
          {"threads", at::get_num_threads()},
          {"libtorch", libtorch_version()},
          {"blas", loaded_blas()}};
}

}  // namespace qn
