// `qnoise sweep`: expand a sweep spec into runs in the store and train the queued ones.
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "common/error.h"
#include "config/run_config.h"
#include "progress_observer.h"
#include "store/run_store.h"
#include "sweep/run_queue.h"
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
  double stale_after = kStaleHeartbeatSeconds;
};

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

  ProgressObserver observer;
  QueueOptions options;
  options.one_run_per_device = !args.parallel;
  options.share_training = !args.train_each;
  const auto summary = run_queue(store, sweep_id, &observer, nullptr, options);
  int left_interrupted = 0;
  for (const auto& run : store.runs(sweep_id)) left_interrupted += run.status == RunStatus::Interrupted;
  const nlohmann::json output = {{"sweep_id", sweep_id},      {"configs", plan.configs},
                                 {"queued", plan.queued},     {"skipped_done", plan.skipped_done},
                                 {"requeued", plan.requeued}, {"done", summary.done},
                                 {"failed", summary.failed},  {"cancelled", summary.cancelled},
                                 {"interrupted", left_interrupted}};
  if (args.json) {
    std::cout << output.dump() << "\n";
  } else {
    std::printf("sweep %lld: %d done, %d failed, %d cancelled%s\n",
                static_cast<long long>(sweep_id), summary.done, summary.failed, summary.cancelled,
                left_interrupted ? " (interrupted runs left: rerun with --resume)" : "");
  }
  return summary.failed > 0 ? 1 : 0;
}

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SweepArgs>();
  auto* command = app.add_subcommand("sweep", "expand a sweep spec into runs and train them");
  command->add_option("--spec", args->spec_path, "sweep spec JSON file")->required();
  command->add_option("--db", args->db, "the store (default: $XDG_DATA_HOME/qnstudio/studio.sqlite)");
  command->add_flag("--resume", args->resume, "run interrupted runs of this sweep again");
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
