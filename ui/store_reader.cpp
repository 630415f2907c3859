#include "store_reader.h"

#include <QMetaObject>
#include <algorithm>

#include "train/training_events.h"

namespace qn::ui {
namespace {

RunCurve curve_of(const std::vector<MetricPoint>& points, bool final) {
  RunCurve curve;
  curve.final = final;
  for (const auto& point : points) {
    const auto step = static_cast<double>(point.step);
    if (point.name == "loss") {
      curve.steps.push_back(step);
      curve.losses.push_back(point.value);
      continue;
    }
    for (const std::string metric : {"accuracy", "perplexity"}) {
      if (point.name == metric) {
        curve.eval_steps.push_back(step);
        curve.eval_values.push_back(point.value);
      } else if (point.name == float_metric_name(metric)) {
        curve.float_steps.push_back(step);
        curve.float_values.push_back(point.value);
      } else {
        continue;
      }
      curve.eval_name = metric;
    }
  }
  return curve;
}

bool has_ended(RunStatus status) {
  return status != RunStatus::Queued && status != RunStatus::Running;
}

}  // namespace

StoreReader::StoreReader(QString db_path, QObject* parent)
    : QObject(parent), db_path_(std::move(db_path)), worker_context_(new QObject) {
  worker_context_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_context_, &QObject::deleteLater);
  thread_.start();
}

StoreReader::~StoreReader() {
  thread_.quit();
  thread_.wait();
}

void StoreReader::request(const std::vector<int64_t>& curve_run_ids, bool force_run_list) {
  if (!in_flight_) {
    start({curve_run_ids, force_run_list});
    return;
  }
  if (!pending_) pending_.emplace();
  auto& ids = pending_->curve_run_ids;
  for (const auto id : curve_run_ids) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  pending_->force_run_list |= force_run_list;
}

void StoreReader::start(Request request) {
  in_flight_ = true;
  QMetaObject::invokeMethod(worker_context_, [this, request = std::move(request)] {
    read(request);
    // Back on the UI thread: the next merged request, if any.
    QMetaObject::invokeMethod(this, [this] {
      in_flight_ = false;
      Q_EMIT idle();
      if (pending_) {
        auto next = std::move(*pending_);
        pending_.reset();
        start(std::move(next));
      }
    }, Qt::QueuedConnection);
  }, Qt::QueuedConnection);
}

void StoreReader::read(const Request& request) {
  try {
    if (!store_) store_ = std::make_unique<RunStore>(db_path_.toStdString());
    auto signature = store_->runs_signature();
    const bool list_changed = request.force_run_list || signature != signature_;
    std::vector<StoredRun> runs;
    if (list_changed) runs = store_->runs();
    CurveMap curves;
    for (const auto id : request.curve_run_ids) {
      const auto run = store_->run(id);
      if (run) curves.emplace(id, curve_of(store_->metrics(id), has_ended(run->status)));
    }
    ProgressMap progress;
    for (auto& [id, run_progress] : store_->running_progress()) progress.emplace(id, std::move(run_progress));
    signature_ = std::move(signature);
    RunList list = list_changed ? std::make_shared<const std::vector<StoredRun>>(std::move(runs))
                                : nullptr;
    QMetaObject::invokeMethod(this, [this, list = std::move(list), curves = std::move(curves),
                                     progress = std::move(progress)] {
      if (list) Q_EMIT runsRead(list);
      Q_EMIT progressRead(progress);
      if (!curves.empty()) Q_EMIT curvesRead(curves);
    }, Qt::QueuedConnection);
  } catch (const std::exception& problem) {
    store_.reset();  // a vanished or replaced file: open it afresh next time
    QMetaObject::invokeMethod(this, [this, message = QString::fromStdString(problem.what())] {
      Q_EMIT failed(message);
    }, Qt::QueuedConnection);
  }
}

}  // namespace qn::ui
