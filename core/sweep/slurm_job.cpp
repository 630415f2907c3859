#include "sweep/slurm_job.h"

#include <array>
#include <cstdio>
#include <memory>

#include "common/error.h"

namespace qn {
namespace {

// `text` as one word for bash, whatever it holds.
std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::string sbatch_script(const SlurmJob& job) {
  std::string script = "#!/bin/bash\n";
  script += "#SBATCH --job-name=qnoise-sweep-" + std::to_string(job.sweep_id) + "\n";
  script += "#SBATCH --array=0-" + std::to_string(job.array - 1) + "\n";
  if (!job.partition.empty()) script += "#SBATCH --partition=" + job.partition + "\n";
  if (!job.time.empty()) script += "#SBATCH --time=" + job.time + "\n";
  if (job.gpus_per_task > 0) {
    script += "#SBATCH --gpus-per-task=" + std::to_string(job.gpus_per_task) + "\n";
  }
  script += "#SBATCH --output=" + job.log_folder + "/worker-%A_%a.log\n";
  script +=
      "# One qnoise worker a task: each takes queued runs of the store until none is left,\n"
      "# waiting a while for runs that a dead task leaves behind (they are requeued).\n";
  script += "exec " + shell_quoted(job.qnoise) + " worker --db " + shell_quoted(job.store) +
            " --idle-exit " + std::to_string(static_cast<int>(job.idle_exit_seconds)) +
            (job.gpus_per_task > 0 ? " --device cuda" : "") +
            " ${SLURM_CPUS_PER_TASK:+--threads $SLURM_CPUS_PER_TASK}\n";
  return script;
}

std::string submit_sbatch(const std::string& script_path) {
  const std::string command = "sbatch --parsable " + shell_quoted(script_path) + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw RuntimeFailure("cannot run sbatch");
  std::string output;
  std::array<char, 256> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe.get())) output += buffer.data();
  const int status = pclose(pipe.release());
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  if (status != 0) {
    throw RuntimeFailure("sbatch refused the job (" + script_path + "): " +
                         (output.empty() ? "is Slurm installed (sbatch on PATH)?" : output));
  }
  // --parsable prints "jobid" or "jobid;cluster".
  return output.substr(0, output.find(';'));
}

}  // namespace qn
