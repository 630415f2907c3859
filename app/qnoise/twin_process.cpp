#include "twin_process.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"

extern char** environ;

namespace qn::cli {

TwinProcess::TwinProcess(const std::string& command, const nlohmann::json& setup)
    : command_(command) {
  int request_pipe[2], answer_pipe[2];
  if (pipe(request_pipe) != 0) {
    throw RuntimeFailure("cannot make the pipes to the twin '" + command + "'");
  }
  if (pipe(answer_pipe) != 0) {
    close(request_pipe[0]);
    close(request_pipe[1]);
    throw RuntimeFailure("cannot make the pipes to the twin '" + command + "'");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, request_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, answer_pipe[1], STDOUT_FILENO);
  for (const int fd : {request_pipe[0], request_pipe[1], answer_pipe[0], answer_pipe[1]}) {
    posix_spawn_file_actions_addclose(&actions, fd);
  }
  const std::string shell_command = command;
  char* argv[] = {const_cast<char*>("sh"), const_cast<char*>("-c"),
                  const_cast<char*>(shell_command.c_str()), nullptr};
  const int spawned = posix_spawn(&pid_, "/bin/sh", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(request_pipe[0]);
  close(answer_pipe[1]);
  to_twin_ = request_pipe[1];
  from_twin_ = fdopen(answer_pipe[0], "r");
  if (spawned != 0) {
    pid_ = -1;
    stop();
    throw RuntimeFailure("cannot start the twin '" + command + "'");
  }
  try {
    handshake_ = exchange({{"setup", setup}});
    if (!handshake_.contains("variants") || !handshake_["variants"].is_array()) {
      throw RuntimeFailure("the twin '" + command_ + "' answered without its variants: " +
                           handshake_.dump());
    }
  } catch (...) {
    stop();  // no destructor runs for a constructor that throws
    throw;
  }
}

TwinProcess::~TwinProcess() { stop(); }

void TwinProcess::stop() {
  if (to_twin_ >= 0) close(to_twin_);  // end of input: the twin exits
  to_twin_ = -1;
  if (from_twin_) fclose(from_twin_);
  from_twin_ = nullptr;
  if (pid_ > 0) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  pid_ = -1;
}

nlohmann::json TwinProcess::exchange(const nlohmann::json& request) {
  const std::string line = request.dump() + "\n";
  // A twin that died would raise SIGPIPE here and kill qnoise without a word.
  const auto previous = signal(SIGPIPE, SIG_IGN);
  const bool written = write(to_twin_, line.data(), line.size()) == ssize_t(line.size());
  signal(SIGPIPE, previous);
  char* answer = nullptr;
  size_t capacity = 0;
  const ssize_t length = written ? getline(&answer, &capacity, from_twin_) : -1;
  const std::string text = length > 0 ? std::string(answer, size_t(length)) : "";
  free(answer);
  if (text.empty()) {
    throw RuntimeFailure("the twin '" + command_ + "' stopped before answering " +
                         request.dump() + " (its errors are above)");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    throw RuntimeFailure("the twin '" + command_ + "' answered a line that is not JSON: " + text);
  }
}

double TwinProcess::run_block(const std::string& variant, int64_t steps) {
  const auto answer = exchange({{"variant", variant}, {"steps", steps}});
  if (!answer.contains("seconds_per_step")) {
    throw RuntimeFailure("the twin '" + command_ + "' answered without seconds_per_step: " +
                         answer.dump());
  }
  return answer["seconds_per_step"].get<double>();
}

std::vector<BenchVariant> twin_variants(const std::shared_ptr<TwinProcess>& twin) {
  std::vector<BenchVariant> variants;
  for (const auto& name : twin->handshake()["variants"]) {
    variants.push_back({name.get<std::string>(), [twin, name = name.get<std::string>()](
                                                     int64_t steps) {
                          return twin->run_block(name, steps);
                        }});
  }
  return variants;
}

}  // namespace qn::cli
