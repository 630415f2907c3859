// `qnoise worker`: takes queued runs of any sweep in a store and runs them, as many workers
// as wanted on as many machines (each claim is atomic). Runs of workers that died go back
// to the queue: at once when the worker was on this host (its process is gone), else once
// its heartbeat is stale. `qnoise sweep --queue-only` (or a sweep on another machine) fills
// the queue; Slurm job arrays start workers.
#include <ATen/Parallel.h>

#include <cstdio>
#include <iostream>

#include "commands.h"
#include "common/error.h"
#include "common/runtime.h"
#include "common/worker_identity.h"
#include "progress_observer.h"
#include "store/run_store.h"
#include "sweep/run_queue.h"

namespace qn::cli {
namespace {

struct WorkerArgs {
  std::string db;
  std::string device;
  int threads = 0;
  int max_runs = 0;
  double idle_exit = 0;
  bool json = false;
};

int run(const WorkerArgs& args) {
  RunStore store(args.db.empty() ? default_database_path() : args.db);
  if (args.threads > 0) at::set_num_threads(args.threads);
  QueueOptions options;
  // A worker is the unit of parallelism its user chose: several on one machine run side
  // by side (with --threads to share the cores) instead of waiting for each other.
  options.one_run_per_device = false;
  options.rerun_interrupted = true;
  options.idle_exit_seconds = args.idle_exit;
  if (args.max_runs > 0) options.max_runs = args.max_runs;
  if (!args.device.empty()) options.device = args.device;
  const auto self = this_worker();
  std::cerr << "worker " << self.host << ":" << self.pid << " on "
            << describe_resolved_device(args.device.empty() ? "auto" : args.device) << "\n";

  ProgressObserver observer;
  const auto summary = run_queue(store, std::nullopt, &observer, nullptr, options);
  if (args.json) {
    std::cout << nlohmann::json{{"host", self.host},          {"pid", self.pid},
                                {"done", summary.done},       {"failed", summary.failed},
                                {"cancelled", summary.cancelled}}
                     .dump()
              << "\n";
  } else {
    std::printf("worker %s:%lld: %d done, %d failed, %d cancelled\n", self.host.c_str(),
                static_cast<long long>(self.pid), summary.done, summary.failed, summary.cancelled);
  }
  return summary.failed > 0 ? 1 : 0;
}

}  // namespace

void add_worker_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<WorkerArgs>();
  auto* command = app.add_subcommand(
      "worker", "run queued runs of any sweep in a store; any number of workers, any machines");
  command->add_option("--db", args->db, "the store (default: $XDG_DATA_HOME/qnstudio/studio.sqlite)");
  command->add_option("--device", args->device,
                      "auto, cpu or cuda: train every run here (default: what each config says)");
  command->add_option("--threads", args->threads, "intra-op threads (default: every core)")
      ->check(CLI::PositiveNumber);
  command->add_option("--max-runs", args->max_runs, "stop after this many runs")
      ->check(CLI::PositiveNumber);
  command->add_option("--idle-exit", args->idle_exit,
                      "with nothing queued, wait this many seconds for new runs before stopping "
                      "(default: stop at once)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
