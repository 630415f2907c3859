#pragma once
// A sweep's workers as a Slurm job array (qnoise sweep --slurm): each array task runs one
// `qnoise worker` on the sweep's store, so the runs spread over the cluster's nodes and a
// task that dies hands its run to the others (docs/engine.md, One run across processes).
#include <cstdint>
#include <string>

namespace qn {

struct SlurmJob {
  std::string qnoise;     // the qnoise program the tasks run (an absolute path)
  std::string store;      // --db of the workers: a PostgreSQL URI, or a SQLite path on one node
  int64_t sweep_id = 0;   // names the job
  int array = 1;          // how many tasks (workers)
  std::string partition;  // empty: the cluster's default
  std::string time;       // a Slurm time limit ("2:00:00"); empty: the partition's
  int gpus_per_task = 0;  // > 0: the workers train on CUDA
  std::string log_folder; // where the tasks' output goes (one file a task)
  double idle_exit_seconds = 60;  // a task waits this long for runs requeued from dead ones
};

// The sbatch script of the job array.
std::string sbatch_script(const SlurmJob& job);

// Submits `script_path` with `sbatch --parsable` and returns the job id; a missing sbatch
// or a refusal is a RuntimeFailure with sbatch's message.
std::string submit_sbatch(const std::string& script_path);

}  // namespace qn
