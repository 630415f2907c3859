#include "runs_table_model.h"

#include "common/duration_text.h"
#include "byte_format.h"

namespace qn::ui {
namespace {

QString text(const nlohmann::json& config, const char* pointer) {
  const auto value = config.value(nlohmann::json::json_pointer(pointer), nlohmann::json());
  if (value.is_string()) return QString::fromStdString(value.get<std::string>());
  return value.is_null() ? QString() : QString::fromStdString(value.dump());
}

QString block_text(const nlohmann::json& config) {
  const auto block = config.value(nlohmann::json::json_pointer("/quant/block_size"), nlohmann::json());
  if (!block.is_object()) return QString::fromStdString(block.dump());
  return QStringLiteral("%1/%2/%3").arg(QString::fromStdString(block.value("linear", nlohmann::json()).dump()),
                                        QString::fromStdString(block.value("conv1x1", nlohmann::json()).dump()),
                                        QString::fromStdString(block.value("conv", nlohmann::json()).dump()));
}

bool uses_pq(const nlohmann::json& config) {
  const auto method = text(config, "/quant/method");
  return method == "pq" || method == "ipq";
}

}  // namespace

QString describe_quantizer(const nlohmann::json& config) {
  const auto method = text(config, "/quant/method");
  if (method == "none") return text(config, "/quant/plain_bits") == "16" ? "fp16" : "fp32";
  if (method == "int") {
    return "int" + text(config, "/quant/bits") + " (" + text(config, "/quant/observer") + ")";
  }
  QString name = method == "ipq" ? "iPQ" : "PQ";
  if (text(config, "/quant/centroid_bits") == "8") name += "+int8";
  return name;
}

QString describe_noise(const nlohmann::json& config) {
  const auto mode = text(config, "/noise/mode");
  if (mode == "ste") return "STE";
  if (mode != "quant-noise") return "none";
  return QStringLiteral("Quant-Noise p=%1 (%2)")
      .arg(config.value(nlohmann::json::json_pointer("/noise/p"), 0.0), 0, 'f', 2)
      .arg(text(config, "/noise/form"));
}

QString describe_training(const nlohmann::json& config) {
  const auto model = config.value("model", nlohmann::json::object());
  QString description = text(config, "/task") + ", " + text(config, "/model/arch");
  for (const auto& [key, value] : model.items()) {
    if (key != "arch") description += QStringLiteral(" %1 %2").arg(QString::fromStdString(key), QString::fromStdString(value.dump()));
  }
  const auto steps = text(config, "/train/max_steps");
  description += steps.isEmpty() || steps == "0" ? ", " + text(config, "/train/epochs") + " epochs"
                                              : ", " + steps + " steps";
  return description + QStringLiteral(", batch %1, lr %2, seed %3")
                        .arg(text(config, "/train/batch_size"), text(config, "/train/lr"),
                             text(config, "/train/seed"));
}

void RunsTableModel::set_runs(RunList runs) {
  beginResetModel();
  runs_ = std::move(runs);
  queue_places_.clear();
  for (const auto& run : *runs_) {  // the queue is drained oldest first
    if (run.status == RunStatus::Queued) queue_places_.emplace(run.id, 0);
  }
  int place = 0;
  for (auto& [id, queue_place] : queue_places_) queue_place = ++place;
  endResetModel();
}

void RunsTableModel::set_progress(std::map<int64_t, RunProgress> progress, double now) {
  progress_ = std::move(progress);
  now_ = now;
  if (rowCount() > 0) Q_EMIT dataChanged(index(0, Progress), index(rowCount() - 1, Progress));
}

QString RunsTableModel::progress_text(const StoredRun& run) const {
  const auto live = progress_.find(run.id);
  const auto* progress = live != progress_.end() ? &live->second
                         : run.progress ? &*run.progress : nullptr;
  switch (run.status) {
    case RunStatus::Queued: {
      const auto place = queue_places_.find(run.id);
      return place == queue_places_.end() ? QString() : QStringLiteral("#%1 in queue").arg(place->second);
    }
    case RunStatus::Done:
      return run.result ? QString::fromStdString("took " + format_duration(run.result->seconds))
                        : QString();
    case RunStatus::Running:
      return progress ? QString::fromStdString(progress->describe(now_)) : "starting";
    default:  // failed, cancelled, interrupted: where it stopped
      return progress ? QString::fromStdString("stopped in " + progress->describe()) : QString();
  }
}

int RunsTableModel::row_of(int64_t run_id) const {
  for (size_t row = 0; row < runs_->size(); ++row) {
    if ((*runs_)[row].id == run_id) return static_cast<int>(row);
  }
  return -1;
}

int RunsTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(runs_->size());
}

int RunsTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::UserRole &&
                           role != Qt::ToolTipRole && role != Qt::TextAlignmentRole)) {
    return {};
  }
  const auto& run = run_at(index.row());
  const auto& config = run.config;
  const bool display = role == Qt::DisplayRole;
  if (role == Qt::ToolTipRole) {
    return run.error.empty() ? QString::fromStdString(config.dump(2))
                             : QString::fromStdString(run.error);
  }
  if (role == Qt::TextAlignmentRole) {
    return index.column() >= Rate ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
  }
  const auto& result = run.result;
  switch (index.column()) {
    case Id:
      return qlonglong(run.id);
    case Status:
      return QString::fromStdString(to_string(run.status));
    case Progress:
      return progress_text(run);
    case Task:
      return text(config, "/task");
    case Quantizer:
      return describe_quantizer(config);
    case Noise:
      return text(config, "/noise/mode");
    case Rate:
      return text(config, "/noise/mode") == "quant-noise" ? QVariant(config.value(nlohmann::json::json_pointer("/noise/p"), 0.0)) : QVariant();
    case Block:
      return uses_pq(config) ? block_text(config) : QString();
    case Centroids:
      return uses_pq(config) ? text(config, "/quant/centroids") : QString();
    case Seed:
      return text(config, "/train/seed").toLongLong();
    case Metric:
      if (!result) return {};
      return display ? QVariant(QString::number(result->metric, 'f', 4)) : QVariant(result->metric);
    case Size:
      if (!result) return {};
      return display ? QVariant(format_bytes(static_cast<double>(result->size_bytes)))
                     : QVariant(qlonglong(result->size_bytes));
    case Compression:
      if (!result) return {};
      return display ? QVariant(QStringLiteral("x%1").arg(result->compression, 0, 'f', 1))
                     : QVariant(result->compression);
  }
  return {};
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const kNames[ColumnCount] = {"id", "status", "progress", "task", "quantizer", "noise",
                                                  "p", "block", "K", "seed", "metric", "size",
                                                  "compression"};
  return QString(kNames[section]);
}

void RunsTableModel::write_csv(QTextStream& out) const {
  for (int column = 0; column < ColumnCount; ++column) {
    out << (column ? "," : "") << headerData(column, Qt::Horizontal, Qt::DisplayRole).toString();
  }
  out << "\n";
  for (int row = 0; row < rowCount(); ++row) {
    for (int column = 0; column < ColumnCount; ++column) {
      auto value = data(index(row, column), Qt::UserRole).toString();
      out << (column ? "," : "") << '"' << value.replace('"', "\"\"") << '"';
    }
    out << "\n";
  }
}

}  // namespace qn::ui
