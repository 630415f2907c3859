// qnoise solve: the mixed per-layer config of least predicted metric drop within a size
// budget, from the sensitivity table; with --run, run it for real (docs/analysis.md,
// "Layer sensitivity and the size solver").
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "common/error.h"
#include "common/runtime.h"
#include "progress_observer.h"
#include "sensitivity_support.h"
#include "store/trained_model_store.h"
#include "sweep/run_queue.h"
#include "train/run_checkpoint.h"
#include "train/size_solver.h"
#include "train/solver_answer.h"
#include "train/training_run.h"

namespace qn::cli {
namespace {

struct SolveArgs {
  SensitivityArgs sensitivity;
  int64_t target_bytes = 0;
  double target_ratio = 0;
  bool run = false;
  int64_t finetune_steps = 0;  // > 0: the PQ layers fine-tuned as iPQ (with_ipq_finetuning)
  std::string output;
};

std::string describe_choice(const LayerChoice& choice) { return choice ? choice->name : "none"; }

// Runs the mixed config as `qnoise train` would (stored with --db), on the model the
// sensitivity table was measured on when this process trained it.
RunResult run_plan(const MixedPlan& plan, RunStore* store, RememberedTrainedModels& trained,
                   nlohmann::json& run_id) {
  ProgressObserver observer;
  if (!store) return run_training(plan.config, &observer, nullptr, &trained);
  const auto device = resolve_device(plan.config.device);
  const auto run = store->begin_run(to_json(plan.config), describe_device(device));
  run_id = run.id;
  // The store's way of sharing a training (a run of the same training_key finds the model
  // there); finish drops it again.
  TrainedModelStore kept(*store, run.id);
  for (const auto& [key, model] : trained.models()) kept.keep(key.first, key.second, model);
  return execute_run(*store, run, &observer, nullptr);
}

int run(const SolveArgs& args) {
  if ((args.target_bytes > 0) == (args.target_ratio > 0)) {
    throw InputError("give one of --target-bytes N and --target-ratio R");
  }
  std::optional<RunStore> store;
  const auto config = sensitivity_config(args.sensitivity, store);
  const int64_t target = args.target_bytes > 0 ? args.target_bytes
                                               : target_bytes_for_ratio(config, args.target_ratio);
  // A target no choice reaches is refused before anything trains.
  const auto smallest = smallest_mixed_bytes(config, args.sensitivity.candidates);
  if (target < smallest) throw InputError(target_too_small_message(config, target, smallest));

  RememberedTrainedModels trained;
  bool reused = false;
  const auto table = sensitivity_table(config, args.sensitivity, store ? &*store : nullptr,
                                       trained, true, reused);
  auto plan = plan_mixed_config(config, table, target);
  if (args.finetune_steps > 0) {
    const auto tuned = with_ipq_finetuning(plan.config, args.finetune_steps);
    if (!tuned) {
      throw InputError("--finetune: the mixed config stores no layer with PQ, so there is nothing "
                       "to fine-tune; run it without --finetune");
    }
    plan.config = *tuned;
  }
  if (!args.output.empty()) {
    std::ofstream file(args.output);
    file << to_json(plan.config).dump(2) << "\n";
    if (!file) throw InputError("cannot write '" + args.output + "'");
  }
  auto output = to_json(solver_answer(plan, table));
  std::optional<RunResult> result;
  nlohmann::json run_id = nullptr;
  if (args.run) {
    result = run_plan(plan, store ? &*store : nullptr, trained, run_id);
    output["metric"] = result->metric;
    output["size_bytes"] = result->size.total_bytes();
    output["float_metric"] = result->float_metric;
    output["run_id"] = run_id;
    output["shared_training"] = result->shared_training;
  }
  if (args.sensitivity.json) {
    std::cout << output.dump() << "\n";
    return 0;
  }
  std::printf("%-28s %-9s %-22s %9s\n", "layer", "choice", "stored as", "drop");
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    std::printf("%-28s %-9s %-22s %+9.4f\n", plan.layers[i].c_str(),
                describe_choice(plan.choices[i]).c_str(), plan.storages[i].c_str(), plan.drops[i]);
  }
  std::printf("target %lld bytes: predicted %lld bytes (x%.1f against fp32 %lld), %s %.4f "
              "(baseline %.4f%s)\n",
              static_cast<long long>(target), static_cast<long long>(plan.predicted_bytes),
              static_cast<double>(plan.fp32_bytes) / static_cast<double>(plan.predicted_bytes),
              static_cast<long long>(plan.fp32_bytes), table.metric_name.c_str(),
              plan.predicted_metric, table.baseline_metric,
              reused ? ", sensitivity table from the store" : "");
  if (result) {
    std::printf("measured: %s %.4f, %lld bytes%s\n", result->metric_name.c_str(), result->metric,
                static_cast<long long>(result->size.total_bytes()),
                run_id.is_null() ? "" : (", run " + run_id.dump()).c_str());
  }
  std::printf("%s\n", to_json(plan.config).dump(2).c_str());
  return 0;
}

}  // namespace

void add_solve_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SolveArgs>();
  auto* command = app.add_subcommand(
      "solve", "choose each layer's storage for the least predicted metric drop within a size");
  add_sensitivity_options(*command, args->sensitivity);
  command->add_option("--target-bytes", args->target_bytes, "the most bytes the model may take")
      ->check(CLI::PositiveNumber);
  command->add_option("--target-ratio", args->target_ratio,
                      "the least compression against fp32 (x R), instead of --target-bytes")
      ->check(CLI::PositiveNumber);
  command->add_flag("--run", args->run, "run the mixed config for real (recorded with --db)");
  command->add_option("--finetune", args->finetune_steps,
                      "fine-tune the PQ layers as iPQ does, this many steps after each stage "
                      "(the prediction stays the one-shot one)")
      ->check(CLI::PositiveNumber);
  command->add_option("-o,--output", args->output, "write the mixed config to this JSON file");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace qn::cli
