// `qnoise sweep`: expand a sweep spec into runs in the store and train the queued ones.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "common/error.h"
#include "config/run_config.h"
#include "progress_observer.h"
#include "store/run_store.h"
#include "store/database.h"
#include "sweep/run_queue.h"
#include "sweep/slurm_job.h"
#include "sweep/sweep_planner.h"

namespace qn::cli {
namespace {

struct SweepArgs {
  std::string spec_path;
  std::string db;
  bool resume = false;
  bool retry_failed = false;
  bool rerun = false;
  bool json = false;
  bool parallel = false;
  bool train_each = false;
  bool queue_only = false;
  bool slurm = false;
  int array = 1;
  std::string partition;
  std::string time;
  int gpus_per_task = 0;
  bool dry_run = false;
  std::string slurm_dir = "qnoise-slurm";
  double stale_after = kStaleHeartbeatSeconds;
};

// --slurm: the queued runs go to a Slurm job array of workers (sweep/slurm_job.h); its
// script is kept in --slurm-dir beside the tasks' logs.
int submit_workers(const SweepArgs& args, RunStore& store, int64_t sweep_id) {
  SlurmJob job;
  job.qnoise = std::filesystem::read_symlink("/proc/self/exe").string();
  const auto& location = store.database().location();
  job.store = is_postgres_uri(location) ? location : std::filesystem::absolute(location).string();
  job.sweep_id = sweep_id;
  job.array = args.array;
  job.partition = args.partition;
  job.time = args.time;
  job.gpus_per_task = args.gpus_per_task;
  job.log_folder = std::filesystem::absolute(args.slurm_dir).string();
  const auto script = sbatch_script(job);
  if (args.dry_run) {
    std::cout << script;
    return 0;
  }
  if (!is_postgres_uri(location)) {
    std::cerr << "qnoise: note: a SQLite store is safe only while every task runs on this "
                 "machine; give --db a postgresql:// URI for a cluster\n";
  }
  std::filesystem::create_directories(job.log_folder);
  const auto script_path = job.log_folder + "/sweep-" + std::to_string(sweep_id) + ".sbatch";
  std::ofstream(script_path) << script;
  const auto job_id = submit_sbatch(script_path);
  store.set_slurm_job(sweep_id, job_id);
  std::printf("sweep %lld: Slurm job %s, %d workers; follow it with qnoise runs --db ...\n",
              static_cast<long long>(sweep_id), job_id.c_str(), args.array);
  return 0;
}

int run(const SweepArgs& args) {
  const auto spec = read_config_file(args.spec_path);
  RunStore store(args.db.empty() ? default_database_path() : args.db);
  const int interrupted = store.mark_interrupted(args.stale_after);
  const auto plan = enqueue_sweep(store, spec, {args.resume, args.retry_failed, args.rerun});
  const int64_t sweep_id = plan.sweep_id;
  std::cerr << "sweep " << sweep_id << ": " << plan.configs << " configs, " << plan.queued
            << " new, " << plan.skipped_done << " already done elsewhere, " << plan.requeued
            << " requeued"
            << (interrupted ? ", " + std::to_string(interrupted) + " found interrupted" : "")
            << "\n";

  if (args.slurm) return submit_workers(args, store, sweep_id);
  if (args.queue_only) {
    std::printf("sweep %lld: %lld runs queued for workers (qnoise worker --db ...)\n",
                static_cast<long long>(sweep_id),
                static_cast<long long>(store.count_runs(RunStatus::Queued, sweep_id)));
    return 0;
  }

  ProgressObserver observer;
  QueueOptions options;
  options.one_run_per_device = !args.parallel;
  options.share_training = !args.train_each;
  options.wait_for_running = true;  // runs other workers took end before the sweep does
  options.rerun_interrupted = args.resume;
  const auto summary = run_queue(store, sweep_id, &observer, nullptr, options);

  // The sweep ends with every run ended (done, failed or cancelled), or says which not.
  nlohmann::json by_status = nlohmann::json::object();
  std::vector<std::string> not_ended;
  for (const auto& run : store.runs(sweep_id)) {
    const auto status = to_string(run.status);
    by_status[status] = by_status.value(status, 0) + 1;
    if (run.status != RunStatus::Done && run.status != RunStatus::Failed &&
        run.status != RunStatus::Cancelled) {
      not_ended.push_back(std::to_string(run.id) + " (" + status + ")");
    }
  }
  const nlohmann::json output = {{"sweep_id", sweep_id},      {"configs", plan.configs},
                                 {"queued", plan.queued},     {"skipped_done", plan.skipped_done},
                                 {"requeued", plan.requeued}, {"done", summary.done},
                                 {"failed", summary.failed},  {"cancelled", summary.cancelled},
                                 {"runs_by_status", by_status}, {"not_ended", not_ended}};
  if (args.json) {
    std::cout << output.dump() << "\n";
  } else {
    std::printf("sweep %lld: %d done, %d failed, %d cancelled here\n",
                static_cast<long long>(sweep_id), summary.done, summary.failed, summary.cancelled);
  }
  if (!not_ended.empty()) {
    std::string list;
    for (const auto& run : not_ended) list += (list.empty() ? "" : ", ") + run;
    std::cerr << "qnoise: sweep " << sweep_id << " has runs that did not end: " << list
              << (args.resume ? "" : "; run it again with --resume") << "\n";
    return 1;
  }
  return summary.failed > 0 ? 1 : 0;
}

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SweepArgs>();
  auto* command = app.add_subcommand("sweep", "expand a sweep spec into runs and train them");
  command->add_option("--spec", args->spec_path, "sweep spec JSON file")->required();
  command->add_option("--db", args->db, "the store (default: $XDG_DATA_HOME/qnstudio/studio.sqlite)");
  command->add_flag("--resume", args->resume,
                    "run interrupted runs of this sweep again (also those interrupted while it "
                    "runs)");
  command->add_flag("--queue-only", args->queue_only,
                    "queue the runs and exit: `qnoise worker` processes run them");
  auto* slurm = command->add_flag("--slurm", args->slurm,
                                  "queue the runs and submit a Slurm job array of workers");
  command->add_option("--array", args->array, "with --slurm: how many worker tasks")
      ->check(CLI::PositiveNumber)->needs(slurm);
  command->add_option("--partition", args->partition, "with --slurm: the partition")->needs(slurm);
  command->add_option("--time", args->time, "with --slurm: each task's time limit")->needs(slurm);
  command->add_option("--gpus-per-task", args->gpus_per_task,
                      "with --slurm: GPUs a task (the workers then train on CUDA)")
      ->check(CLI::NonNegativeNumber)->needs(slurm);
  command->add_flag("--dry-run", args->dry_run,
                    "with --slurm: print the sbatch script instead of submitting it")->needs(slurm);
  command->add_option("--slurm-dir", args->slurm_dir,
                      "with --slurm: where the script and the tasks' logs go")
      ->capture_default_str()->needs(slurm);
  command->add_flag("--retry-failed", args->retry_failed, "run failed runs of this sweep again");
  command->add_flag("--rerun", args->rerun, "run configs even if the store has them done");
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->add_flag("--parallel", args->parallel,
                    "run even while another process runs on this device");
  command->add_flag("--train-each", args->train_each,
                    "train every run itself, even where another run of the sweep trains the same "
                    "model (results are the same; for timing and checking)");
  command->add_option("--stale-after", args->stale_after,
                      "seconds without a heartbeat before a running run counts as interrupted")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
