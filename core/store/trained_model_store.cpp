#include "store/trained_model_store.h"

namespace qn {

std::optional<TrainedModel> TrainedModelStore::find(const std::string& key,
                                                    const std::string& device) {
  auto query = store_.database().prepare(
      "SELECT state, events, steps FROM trained_models WHERE training_key = ? AND device = ?");
  query.bind(1, key).bind(2, device);
  if (!query.step()) return std::nullopt;
  return TrainedModel{query.blob(0), query.text(1), query.integer(2)};
}

bool TrainedModelStore::wants(const std::string& key) {
  auto query = store_.database().prepare(
      "SELECT 1 FROM runs WHERE training_key = ? AND id != ? AND status IN ('queued', "
      "'running') LIMIT 1");
  query.bind(1, key).bind(2, run_id_);
  return query.step();
}

void TrainedModelStore::keep(const std::string& key, const std::string& device,
                             const TrainedModel& model) {
  store_.database()
      .prepare(
          "INSERT INTO trained_models (training_key, device, run_id, steps, state, events, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (training_key, device) DO UPDATE "
          "SET run_id = excluded.run_id, steps = excluded.steps, state = excluded.state, "
          "events = excluded.events, created_at = excluded.created_at")
      .bind(1, key)
      .bind(2, device)
      .bind(3, run_id_)
      .bind(4, model.steps)
      .bind_blob(5, model.state)
      .bind(6, model.events)
      .bind(7, wall_clock_seconds())
      .run();
}

}  // namespace qn
