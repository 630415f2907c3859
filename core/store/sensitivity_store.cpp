#include "store/sensitivity_store.h"

#include "store/run_store.h"

namespace qn {
namespace {

constexpr const char* kTableColumns =
    "id, config, config_hash, training_key, candidates, device, metric_name, "
    "evaluation_split, baseline_metric, float_metric, seconds";

SensitivityTable read_table(Statement& query) {
  SensitivityTable table;
  table.id = query.integer(0);
  table.config = nlohmann::json::parse(query.text(1));
  table.config_hash = query.text(2);
  table.training_key = query.text(3);
  table.candidates = nlohmann::json::parse(query.text(4)).get<std::vector<std::string>>();
  table.device = query.text(5);
  table.metric_name = query.text(6);
  table.evaluation_split = query.text(7);
  table.baseline_metric = query.real(8);
  table.float_metric = query.real(9);
  table.seconds = query.real(10);
  return table;
}

}  // namespace

int64_t SensitivityStore::add(const SensitivityTable& table) {
  int64_t id = 0;
  db_.transaction([&] {
    auto insert = db_.prepare(
        "INSERT INTO sensitivities (config, config_hash, training_key, candidates, device, "
        "metric_name, evaluation_split, baseline_metric, float_metric, seconds, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    insert.bind(1, table.config.dump())
        .bind(2, table.config_hash)
        .bind(3, table.training_key)
        .bind(4, nlohmann::json(table.candidates).dump())
        .bind(5, table.device)
        .bind(6, table.metric_name)
        .bind(7, table.evaluation_split)
        .bind(8, table.baseline_metric)
        .bind(9, table.float_metric)
        .bind(10, table.seconds)
        .bind(11, wall_clock_seconds());
    insert.step();
    id = insert.integer(0);
    insert.reset();
    auto row_insert = db_.prepare(
        "INSERT INTO sensitivity_rows (sensitivity_id, position, layer, candidate, storage, "
        "weight_bytes, bytes_saved, metric, metric_drop) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (size_t i = 0; i < table.rows.size(); ++i) {
      const auto& row = table.rows[i];
      row_insert.bind(1, id)
          .bind(2, static_cast<int64_t>(i))
          .bind(3, row.layer)
          .bind(4, row.candidate)
          .bind(5, row.storage)
          .bind(6, row.weight_bytes)
          .bind(7, row.bytes_saved)
          .bind(8, row.metric)
          .bind(9, row.metric_drop)
          .run();
    }
  });
  return id;
}

std::optional<SensitivityTable> SensitivityStore::get(int64_t id) {
  auto query = db_.prepare(std::string("SELECT ") + kTableColumns +
                           " FROM sensitivities WHERE id = ?");
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  auto table = read_table(query);
  query.reset();
  auto rows = db_.prepare(
      "SELECT layer, candidate, storage, weight_bytes, bytes_saved, metric, metric_drop "
      "FROM sensitivity_rows WHERE sensitivity_id = ? ORDER BY position");
  rows.bind(1, id);
  while (rows.step()) {
    table.rows.push_back({rows.text(0), rows.text(1), rows.text(2), rows.integer(3),
                          rows.integer(4), rows.real(5), rows.real(6)});
  }
  return table;
}

std::vector<int64_t> SensitivityStore::ids() {
  auto query = db_.prepare("SELECT id FROM sensitivities ORDER BY id DESC");
  std::vector<int64_t> ids;
  while (query.step()) ids.push_back(query.integer(0));
  return ids;
}

std::optional<SensitivityTable> SensitivityStore::find(const std::string& config_hash,
                                                       const std::vector<std::string>& candidates,
                                                       const std::string& device) {
  auto query = db_.prepare(
      "SELECT id FROM sensitivities WHERE config_hash = ? AND candidates = ? AND device = ? "
      "ORDER BY id DESC LIMIT 1");
  query.bind(1, config_hash).bind(2, nlohmann::json(candidates).dump()).bind(3, device);
  if (!query.step()) return std::nullopt;
  const auto id = query.integer(0);
  query.reset();
  return get(id);
}

}  // namespace qn
