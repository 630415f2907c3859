#include "sweep/sweep_planner.h"

#include "common/error.h"
#include "config/run_config.h"
#include "sweep/sweep_spec.h"
#include "train/run_check.h"
#include "train/task_model.h"

namespace qn {
namespace {

int64_t find_or_add_sweep(RunStore& store, const SweepSpec& spec, const nlohmann::json& raw) {
  if (const auto found = store.find_sweep(raw)) return *found;
  return store.add_sweep(spec.name, raw);
}

// Every run of the sweep is pinned (a torchscript model's file hash recorded, as for single
// runs) and passes check_before_training, or the sweep is refused naming the first run that
// fails, before the store holds any of them.
void pin_and_check_every_run(const SweepSpec& spec, std::vector<RunConfig>& configs) {
  for (size_t i = 0; i < configs.size(); ++i) {
    try {
      pin_model_file(configs[i]);
      check_before_training(configs[i]);
    } catch (const InputError& error) {
      throw InputError("sweep run " + std::to_string(i + 1) + " of " +
                       std::to_string(configs.size()) + " (" +
                       describe_sweep_point(spec, configs[i]) + "): " + error.what());
    }
  }
}

}  // namespace

SweepPlan enqueue_sweep(RunStore& store, const nlohmann::json& raw,
                        const SweepPlanOptions& options) {
  const auto spec = parse_sweep_spec(raw);
  auto configs = expand_sweep(spec);
  pin_and_check_every_run(spec, configs);
  SweepPlan plan;
  plan.configs = configs.size();
  store.database().serialized_transaction([&] {  // two processes planning one sweep add it once
    plan.sweep_id = find_or_add_sweep(store, spec, raw);
    for (const auto& parsed : configs) {
      const auto config = to_json(parsed);
      const auto hash = config_hash(config);
      if (store.find_in_sweep(plan.sweep_id, hash)) continue;
      if (!options.rerun && store.find_done(hash)) {
        ++plan.skipped_done;
        continue;
      }
      store.add_run(config, plan.sweep_id);
      ++plan.queued;
    }
  });
  std::vector<RunStatus> again;
  if (options.resume) again.push_back(RunStatus::Interrupted);
  if (options.retry_failed) again.push_back(RunStatus::Failed);
  plan.requeued = store.requeue(again, plan.sweep_id);
  return plan;
}

int64_t enqueue_run(RunStore& store, RunConfig config) {
  pin_model_file(config);
  check_before_training(config);
  return store.add_run(to_json(config));
}

}  // namespace qn
