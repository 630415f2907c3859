#pragma once

#include <QAbstractTableModel>
#include <QTextStream>
#include <map>
#include <optional>
#include <vector>

#include "config/run_description.h"
#include "store/run_store.h"
#include "store_worker.h"

namespace qn::ui {

// The store's runs as a table (Qt's model/view): one row a run, columns for what people
// compare (quantizer, noise, p, block, K, metric, size, compression) and the queue's state
// (a running run's stage, step and time left; a queued run's place; a done run's time; the
// host of the worker that ran it, for stores that many machines share).
// Display text for people; Qt::UserRole holds the raw value for sorting (numbers sort as
// numbers).
class RunsTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { Id, Status, Progress, Task, Quantizer, Noise, Rate, Block, Centroids, Seed, Metric, Size,
                Compression, Host, ColumnCount };

  using QAbstractTableModel::QAbstractTableModel;

  // Replaces the rows, keeping the model's identity (views keep their sort and selection).
  void set_runs(RunList runs);
  const RunList& run_list() const { return runs_; }
  const std::vector<StoredRun>& runs() const { return *runs_; }
  const StoredRun& run_at(int row) const { return runs_->at(static_cast<size_t>(row)); }
  // The run's config as the engine reads it; nullopt for one it can no longer read.
  const std::optional<RunConfig>& config_at(int row) const { return run_at(row).config; }
  const RunDescription& description_at(int row) const { return descriptions_.at(static_cast<size_t>(row)); }
  int row_of(int64_t run_id) const;  // -1 if absent
  // The running runs' progress, fresher than the run list's; `now` is the wall clock
  // (seconds since the epoch) that times left are counted from.
  void set_progress(std::map<int64_t, RunProgress> progress, double now);
  // "training 120/300, 45 s left", "#2 in queue", "took 3 min 20 s"...
  QString progress_text(const StoredRun& run) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
  // Every row as CSV: a header of the column names, then the raw values, each quoted.
  void write_csv(QTextStream& out) const;

 private:
  RunList runs_ = std::make_shared<const std::vector<StoredRun>>();
  std::vector<RunDescription> descriptions_;  // each run's, written once when the list arrives
  std::map<int64_t, RunProgress> progress_;
  double now_ = 0;
  std::map<int64_t, int> queue_places_;  // queued runs' places, 1 first
};

}  // namespace qn::ui
