#include "sweep/sweep_planner.h"

#include "sweep/sweep_spec.h"

namespace qn {
namespace {

int64_t find_or_add_sweep(RunStore& store, const SweepSpec& spec, const nlohmann::json& raw) {
  auto query =
      store.database().prepare("SELECT id FROM sweeps WHERE spec = ? ORDER BY id LIMIT 1");
  query.bind(1, raw.dump());
  if (query.step()) return query.integer(0);
  return store.add_sweep(spec.name, raw);
}

}  // namespace

SweepPlan enqueue_sweep(RunStore& store, const nlohmann::json& raw,
                        const SweepPlanOptions& options) {
  const auto spec = parse_sweep_spec(raw);
  const auto configs = expand_sweep(spec);
  SweepPlan plan;
  plan.configs = configs.size();
  store.database().transaction([&] {  // two processes planning one sweep add it once
    plan.sweep_id = find_or_add_sweep(store, spec, raw);
    for (const auto& config : configs) {
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

}  // namespace qn
