#pragma once

#include <QObject>
#include <QString>
#include <QThread>
#include <QVector>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/run_store.h"

namespace qn::ui {

// The run list as read at one moment, shared by the table, the plots and the views
// without copying the configs.
using RunList = std::shared_ptr<const std::vector<StoredRun>>;

// A run's curves against step: the training loss; the metric (accuracy or perplexity) of
// the model in training, where it was evaluated (train.eval_every, and at the end of
// training); and the compressed model's metric, at the end.
struct RunCurve {
  QVector<double> steps, losses;
  QVector<double> float_steps, float_values;
  QVector<double> eval_steps, eval_values;
  std::string eval_name;  // "accuracy" or "perplexity"; empty before any evaluation
  bool final = false;  // the run has ended: these curves no longer change
};
using CurveMap = std::map<int64_t, RunCurve>;
using ProgressMap = std::map<int64_t, RunProgress>;

// Reads the store on a thread of its own, so that the UI thread never waits on SQLite: not
// on a query over hundreds of runs, not on a lock held by a writer in another process.
// A request asks for the run list (read only when the store's runs_signature changed, or
// when forced), the running runs' progress, and the curves of some runs; the answers come
// back as signals on the UI thread. Requests made while one is being read are merged into the next read.
class StoreReader : public QObject {
  Q_OBJECT

 public:
  explicit StoreReader(QString db_path, QObject* parent = nullptr);
  ~StoreReader() override;  // waits for a read in progress

  void request(const std::vector<int64_t>& curve_run_ids, bool force_run_list = false);
  bool busy() const { return in_flight_ || pending_; }

 Q_SIGNALS:
  // The run list changed since the last one sent (or a read was forced).
  void runsRead(qn::ui::RunList runs);
  // Curves of the runs asked for (those with no row any more are left out).
  void curvesRead(qn::ui::CurveMap curves);
  // The progress of every running run (empty when none runs).
  void progressRead(qn::ui::ProgressMap progress);
  // The store could not be read (locked past its timeout, vanished, corrupt): what is
  // shown stays as it is.
  void failed(QString message);
  // A read ended, whatever it found.
  void idle();

 private:
  struct Request {
    std::vector<int64_t> curve_run_ids;
    bool force_run_list = false;
  };
  void start(Request request);   // UI thread
  void read(const Request& request);  // reader thread

  QString db_path_;
  QThread thread_;
  QObject* worker_context_;  // lives in thread_: what runs there is posted to it
  std::unique_ptr<RunStore> store_;  // opened, used and closed on thread_ only
  std::string signature_;            // of the run list last sent; reader thread only
  bool in_flight_ = false;
  std::optional<Request> pending_;
};

}  // namespace qn::ui
