#include "runs_table_model.h"

#include "common/duration_text.h"
#include "byte_format.h"

namespace qn::ui {
namespace {

QString block_text(const BlockSizes& block) {
  return QStringLiteral("%1/%2/%3").arg(block.linear).arg(block.conv1x1).arg(block.conv);
}

// The stored config laid out for a tip; text that is not JSON as it is.
QString indented(const std::string& config_text) {
  const auto json = nlohmann::json::parse(config_text, nullptr, /*allow_exceptions=*/false);
  return QString::fromStdString(json.is_discarded() ? config_text : json.dump(2));
}

}  // namespace

void RunsTableModel::set_runs(RunList runs) {
  beginResetModel();
  runs_ = std::move(runs);
  descriptions_.clear();
  for (const auto& run : *runs_) descriptions_.push_back(describe_run(run.config));
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
  const bool display = role == Qt::DisplayRole;
  if (role == Qt::ToolTipRole) {
    return run.error.empty() ? indented(run.config_text)
                             : QString::fromStdString(run.error);
  }
  if (role == Qt::TextAlignmentRole) {
    const bool number = index.column() >= Rate && index.column() != Host;
    return number ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
  }
  const auto& result = run.result;
  const auto& description = descriptions_[static_cast<size_t>(index.row())];
  switch (index.column()) {
    case Id:
      return qlonglong(run.id);
    case Status:
      return QString::fromStdString(to_string(run.status));
    case Progress:
      return progress_text(run);
    case Task:
      return run.config ? QString::fromStdString(run.config->task) : QString();
    case Quantizer:
      return QString::fromStdString(description.quantizer);
    case Noise:
      return run.config ? QString::fromStdString(to_string(run.config->noise.mode)) : QString();
    case Rate:
      if (!run.config || run.config->noise.mode != NoiseMode::QuantNoise) return {};
      return run.config->noise.p;
    case Block:
      if (!run.config || !uses_codebooks(run.config->quant.method)) return {};
      return block_text(run.config->quant.block_size);
    case Centroids:
      if (!run.config || !uses_codebooks(run.config->quant.method)) return {};
      return qlonglong(run.config->quant.centroids);
    case Seed:
      return run.config ? QVariant(qulonglong(run.config->train.seed)) : QVariant();
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
    case Host:
      return run.worker ? QString::fromStdString(run.worker->host) : QString();
  }
  return {};
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static const char* const kNames[ColumnCount] = {"id", "status", "progress", "task", "quantizer", "noise",
                                                  "p", "block", "K", "seed", "metric", "size",
                                                  "compression", "host"};
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
