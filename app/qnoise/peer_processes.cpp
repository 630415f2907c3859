#include "peer_processes.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/error.h"

extern char** environ;

namespace qn::cli {
namespace {

// This process's environment with torchrun's variables for `rank` set (and any inherited
// ones replaced).
std::vector<std::string> rank_environment(int rank, int world_size, uint16_t master_port) {
  const std::vector<std::pair<std::string, std::string>> set = {
      {"RANK", std::to_string(rank)},           {"LOCAL_RANK", std::to_string(rank)},
      {"WORLD_SIZE", std::to_string(world_size)}, {"LOCAL_WORLD_SIZE", std::to_string(world_size)},
      {"MASTER_ADDR", "127.0.0.1"},               {"MASTER_PORT", std::to_string(master_port)}};
  std::vector<std::string> environment;
  for (char** entry = environ; *entry; ++entry) {
    const std::string variable(*entry);
    bool replaced = false;
    for (const auto& [name, value] : set) replaced |= variable.rfind(name + "=", 0) == 0;
    if (!replaced) environment.push_back(variable);
  }
  for (const auto& [name, value] : set) environment.push_back(name + "=" + value);
  return environment;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& text : strings) result.push_back(text.data());
  result.push_back(nullptr);
  return result;
}

}  // namespace

PeerProcesses::PeerProcesses(const std::vector<std::string>& arguments, int world_size,
                             uint16_t master_port) {
  std::vector<std::string> argv = {"/proc/self/exe"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  auto argv_pointers = pointers(argv);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  for (int rank = 1; rank < world_size; ++rank) {
    auto environment = rank_environment(rank, world_size, master_port);
    auto environment_pointers = pointers(environment);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv_pointers.data(),
                                  environment_pointers.data());
    if (error != 0) {
      posix_spawn_file_actions_destroy(&actions);
      stop_all();
      throw RuntimeFailure("could not start rank " + std::to_string(rank) + ": " + std::strerror(error));
    }
    running_.push_back(pid);
  }
  posix_spawn_file_actions_destroy(&actions);
}

PeerProcesses::~PeerProcesses() { stop_all(); }

void PeerProcesses::stop_all() {
  for (const pid_t pid : running_) kill(pid, SIGTERM);
  for (const pid_t pid : running_) waitpid(pid, nullptr, 0);
  running_.clear();
}

void PeerProcesses::wait_all() {
  std::string failure;
  for (size_t index = 0; index < running_.size(); ++index) {
    int status = 0;
    while (waitpid(running_[index], &status, 0) < 0 && errno == EINTR) {
    }
    const auto rank = std::to_string(index + 1);
    if (failure.empty() && WIFEXITED(status) && WEXITSTATUS(status) != 0) {
      failure = "rank " + rank + " exited " + std::to_string(WEXITSTATUS(status));
    } else if (failure.empty() && WIFSIGNALED(status)) {
      failure = "rank " + rank + " was killed by signal " + std::to_string(WTERMSIG(status));
    }
  }
  running_.clear();
  if (!failure.empty()) throw RuntimeFailure(failure + " (its error is above)");
}

}  // namespace qn::cli
