#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/error.h"
#include "common/runtime.h"
#include "config/run_config.h"
#include "distributed/data_parallel.h"
#include "io/qnz_reader.h"
#include "train/run_export.h"
#include "peer_processes.h"
#include "progress_observer.h"
#include "store/run_store.h"
#include "sweep/run_queue.h"
#include "train/run_check.h"
#include "train/run_checkpoint.h"
#include "train/task_model.h"
#include "train/training_run.h"

namespace qn::cli {
namespace {

struct TrainArgs {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string device;
  std::string db;
  std::string export_path;
  int threads = 0;
  int nproc = 1;
  bool json = false;
};

// What a peer of `qnoise train --nproc` runs: the same run, no store, no file, no output,
// and its share of the cores.
std::vector<std::string> peer_arguments(const TrainArgs& args, int threads) {
  std::vector<std::string> arguments = {"train", "--config", args.config_path, "--threads",
                                        std::to_string(threads)};
  for (const auto& assignment : args.overrides) {
    arguments.insert(arguments.end(), {"--set", assignment});
  }
  if (!args.device.empty()) arguments.insert(arguments.end(), {"--device", args.device});
  return arguments;
}

// The group this process trains in: one it starts (--nproc), one torchrun's environment
// names, or none.
std::unique_ptr<DataParallel> join_group(const TrainArgs& args,
                                         std::optional<PeerProcesses>& peers) {
  const auto rendezvous = rendezvous_from_environment();
  if (args.nproc > 1) {
    if (rendezvous) {
      throw InputError("--nproc starts its own process group; with WORLD_SIZE set (torchrun) "
                       "leave it out");
    }
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const int threads = args.threads > 0 ? args.threads
                                         : std::max(1, static_cast<int>(cores) / args.nproc);
    at::set_num_threads(threads);
    return DataParallel::host_on_this_machine(args.nproc, [&](uint16_t port) {
      peers.emplace(peer_arguments(args, threads), args.nproc, port);
    });
  }
  if (rendezvous) return DataParallel::join(*rendezvous);
  return nullptr;
}

int run(const TrainArgs& args) {
  auto json = read_config_file(args.config_path);
  for (const auto& assignment : args.overrides) apply_override(json, assignment);
  if (!args.device.empty()) json["device"] = args.device;
  auto config = parse_run_config(json);
  pin_model_file(config);  // the stored config names the model file by its hash
  // Before the store records the run and before any data loads: a run that cannot finish
  // is exit 2 in a second, not a failure after its training.
  check_before_training(config);
  if (args.threads > 0) at::set_num_threads(args.threads);
  std::optional<PeerProcesses> peers;
  const auto parallel = join_group(args, peers);
  if (parallel && parallel->rank() != 0) {  // a peer: trains its share, rank 0 reports
    run_training(config, nullptr, nullptr, nullptr, parallel.get());
    return 0;
  }

  ProgressObserver observer;
  nlohmann::json run_id = nullptr;  // runs get ids when they are stored (--db)
  nlohmann::json exported = nullptr;
  RunResult result;
  std::optional<RunStore> store;
  if (args.db.empty()) {
    result = run_training(config, &observer, nullptr, nullptr, parallel.get());
  } else {
    store.emplace(args.db);
    store->mark_interrupted(kStaleHeartbeatSeconds);
    const auto run =
        store->begin_run(to_json(config),
                         describe_training_device(resolve_device(config.device), parallel.get()));
    run_id = run.id;
    result = execute_run(*store, run, &observer, nullptr, {}, parallel.get());
  }
  if (peers) peers->wait_all();
  if (!args.export_path.empty()) {
    // With a store the run's checkpoint is already there: export those very bytes.
    const auto checkpoint = store ? stored_checkpoint(*store, run_id.get<int64_t>())
                                  : parse_qnz(run_checkpoint(config, result));
    const auto file = export_checkpoint(checkpoint, args.export_path, ExportFormat::Qnz);
    if (store) record_export(*store, run_id.get<int64_t>(), file);
    exported = file.path;
  }
  auto output = result_summary(result);
  output["run_id"] = run_id;
  output["export"] = exported;
  output["config"] = to_json(config);
  if (args.json) {
    std::cout << output.dump() << "\n";
  } else {
    std::printf(
        "%s %s %.4f (before compression %.4f), %lld bytes (x%.1f against fp32 %lld), "
        "%.1f s on %s\n",
        result.evaluation_split.c_str(), result.metric_name.c_str(), result.metric,
        result.float_metric,
        static_cast<long long>(result.size.total_bytes()), result.size.compression(),
        static_cast<long long>(result.size.fp32_bytes()), result.seconds, result.device.c_str());
    for (const auto& further : result.further_evaluations) {
      std::printf("%s %s %.4f (before compression %.4f)\n", further.name.c_str(),
                  result.metric_name.c_str(), further.metric, further.float_metric);
    }
  }
  return 0;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TrainArgs>();
  auto* command = app.add_subcommand("train", "train, compress and evaluate one run");
  command->add_option("--config", args->config_path, "RunConfig JSON file")->required();
  command->add_option("--set", args->overrides, "override one value: KEY=VALUE (repeatable)");
  command->add_option("--device", args->device, "auto, cpu or cuda (overrides the config)");
  command->add_option("--db", args->db, "record the run, its curves and result in this store");
  command->add_option("--export", args->export_path, "write the compressed model to this .qnz file");
  command->add_option("--threads", args->threads, "intra-op threads (default: every core)")
      ->check(CLI::PositiveNumber);
  command->add_option("--nproc", args->nproc,
                      "train data-parallel in N processes on this machine (torch.distributed, "
                      "Gloo); across machines, start one a rank with torchrun's environment")
      ->check(CLI::PositiveNumber);
  command->add_flag("--json", args->json, "print one JSON object on stdout");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
