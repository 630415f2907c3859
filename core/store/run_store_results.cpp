// What a run leaves in the store: its curves (metrics), its result and checkpoint (finish),
// the files exported from it (artifacts). The queue's side of RunStore (runs queued,
// claimed, beating, ended) is in run_store.cpp.
#include "store/run_store.h"

#include <algorithm>

namespace qn {

void RunStore::add_metrics(int64_t run_id, const std::vector<MetricPoint>& points) {
  if (points.empty()) return;
  // Many rows a statement: PostgreSQL pays a round trip a statement, and a second of curve
  // is 150 rows (qnoise bench store: 18 ms a batch row by row).
  constexpr size_t kRowsAStatement = 256;
  db_->relaxed_transaction([&] {
    for (size_t first = 0; first < points.size(); first += kRowsAStatement) {
      const auto rows = std::min(kRowsAStatement, points.size() - first);
      std::string sql = "INSERT INTO metrics (run_id, step, name, value) VALUES (?, ?, ?, ?)";
      for (size_t row = 1; row < rows; ++row) sql += ", (?, ?, ?, ?)";
      auto insert = db_->prepare(sql);
      for (size_t row = 0; row < rows; ++row) {
        const auto& point = points[first + row];
        const int column = static_cast<int>(4 * row);
        insert.bind(column + 1, run_id)
            .bind(column + 2, point.step)
            .bind(column + 3, point.name)
            .bind(column + 4, point.value);
      }
      insert.run();
    }
  });
}

void RunStore::finish(int64_t run_id, const StoredResult& result, std::string_view checkpoint) {
  db_->transaction([&] {
    if (!checkpoint.empty()) {
      db_->prepare("INSERT INTO checkpoints (run_id, data) VALUES (?, ?) "
                   "ON CONFLICT (run_id) DO UPDATE SET data = excluded.data")
          .bind(1, run_id)
          .bind_blob(2, checkpoint)
          .run();
    }
    db_->prepare(
           "INSERT INTO results (run_id, metric_name, metric, float_metric, size_bytes, "
           "fp32_size_bytes, compression, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
           "ON CONFLICT (run_id) DO UPDATE SET metric_name = excluded.metric_name, "
           "metric = excluded.metric, float_metric = excluded.float_metric, "
           "size_bytes = excluded.size_bytes, fp32_size_bytes = excluded.fp32_size_bytes, "
           "compression = excluded.compression, seconds = excluded.seconds")
        .bind(1, run_id)
        .bind(2, result.metric_name)
        .bind(3, result.metric)
        .bind(4, result.float_metric)
        .bind(5, result.size_bytes)
        .bind(6, result.fp32_size_bytes)
        .bind(7, result.compression)
        .bind(8, result.seconds)
        .run();
    db_->prepare("UPDATE runs SET status = 'done', finished_at = ?, error = NULL WHERE id = ?")
        .bind(1, wall_clock_seconds())
        .bind(2, run_id)
        .run();
    drop_unneeded_trained_models();
  });
}

std::optional<std::string> RunStore::checkpoint(int64_t run_id) {
  auto query = db_->prepare("SELECT data FROM checkpoints WHERE run_id = ?");
  query.bind(1, run_id);
  if (!query.step()) return std::nullopt;
  return query.blob(0);
}

void RunStore::add_artifact(const StoredArtifact& artifact) {
  db_->prepare(
         "INSERT INTO artifacts (run_id, path, kind, bytes, sha256, created_at) "
         "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, artifact.run_id)
      .bind(2, artifact.path)
      .bind(3, artifact.kind)
      .bind(4, artifact.bytes)
      .bind(5, artifact.sha256)
      .bind(6, wall_clock_seconds())
      .run();
}

std::vector<StoredArtifact> RunStore::artifacts(int64_t run_id) {
  auto query = db_->prepare(
      "SELECT run_id, path, kind, bytes, sha256 FROM artifacts WHERE run_id = ? ORDER BY id");
  query.bind(1, run_id);
  std::vector<StoredArtifact> found;
  while (query.step()) {
    found.push_back(
        {query.integer(0), query.text(1), query.text(2), query.integer(3), query.text(4)});
  }
  return found;
}

std::vector<MetricPoint> RunStore::metrics(int64_t run_id) {
  auto query =
      db_->prepare(std::string("SELECT step, name, value FROM metrics WHERE run_id = ? ORDER BY ") +
                   (db_->engine() == DatabaseEngine::SQLite ? "rowid" : "id"));  // insertion order
  query.bind(1, run_id);
  std::vector<MetricPoint> points;
  while (query.step()) points.push_back({query.integer(0), query.text(1), query.real(2)});
  return points;
}

}  // namespace qn
