#include "store_worker.h"

#include <QMetaObject>
#include <algorithm>
#include <numeric>

#include "sweep/run_queue.h"
#include "sweep/sweep_planner.h"
#include "train/stage_result.h"
#include "train/training_events.h"

namespace qn::ui {
namespace {

constexpr size_t kPaceSteps = 20;  // the steps a run's shown pace is the mean of

RunCurve curve_of(const std::vector<MetricPoint>& points, bool final) {
  RunCurve curve;
  curve.final = final;
  // iPQ's fine-tuning counts its steps from 1 again at every stage: its losses continue
  // the curve after the training's.
  double loss_offset = 0;
  std::vector<double> paces;
  for (const auto& point : points) {
    const auto step = static_cast<double>(point.step);
    if (point.name == "examples_per_second") {
      paces.push_back(point.value);
      continue;
    }
    if (point.name == "loss") {
      if (!curve.steps.isEmpty() && step + loss_offset <= curve.steps.back()) {
        loss_offset = curve.steps.back();
      }
      curve.steps.push_back(step + loss_offset);
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
      } else if (point.name == after_quantization_name(metric)) {
        curve.stage_numbers.push_back(step);
        curve.after_quantization.push_back(point.value);
      } else if (point.name == after_finetune_name(metric)) {
        curve.finetuned_stage_numbers.push_back(step);
        curve.after_finetune.push_back(point.value);
      } else {
        continue;
      }
      curve.eval_name = metric;
    }
  }
  // A mean of the last steps: one step's pace jumps with the step's batch and the machine.
  const size_t recent = std::min<size_t>(paces.size(), kPaceSteps);
  if (recent > 0) {
    curve.examples_per_second =
        std::accumulate(paces.end() - static_cast<std::ptrdiff_t>(recent), paces.end(), 0.0) / static_cast<double>(recent);
  }
  return curve;
}

bool has_ended(RunStatus status) {
  return status != RunStatus::Queued && status != RunStatus::Running;
}

QString count_text(size_t count, const char* what) {
  return QStringLiteral("%1 %2%3").arg(count).arg(what).arg(count == 1 ? "" : "s");
}

}  // namespace

StoreWorker::StoreWorker(QString db_path, QObject* parent)
    : QObject(parent), db_path_(std::move(db_path)), store_context_(new QObject) {
  store_context_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, store_context_, &QObject::deleteLater);
  thread_.start();
  auto problem = std::make_shared<std::optional<QString>>();
  post([this, problem] {
        try {
          store();
          reap_interrupted_runs();
        } catch (const std::exception& failure) {
          *problem = QString::fromStdString(failure.what());
        }
      },
      [this, problem] { *problem ? Q_EMIT openFailed(**problem) : Q_EMIT opened(); });
}

StoreWorker::~StoreWorker() {
  thread_.quit();
  thread_.wait();
}

RunStore& StoreWorker::store() {
  if (!store_) store_ = std::make_unique<RunStore>(db_path_.toStdString());
  return *store_;
}

void StoreWorker::post(std::function<void()> job, std::function<void()> done) {
  QMetaObject::invokeMethod(store_context_, [this, job = std::move(job), done = std::move(done)] {
    job();
    QMetaObject::invokeMethod(this, done, Qt::QueuedConnection);
  }, Qt::QueuedConnection);
}

void StoreWorker::request(const std::vector<int64_t>& curve_run_ids, bool force_run_list) {
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

void StoreWorker::start(Request request) {
  in_flight_ = true;
  post([this, request = std::move(request)] { read(request); },
       [this] {  // the next merged request, if any
         in_flight_ = false;
         Q_EMIT idle();
         if (pending_) {
           auto next = std::move(*pending_);
           pending_.reset();
           start(std::move(next));
         }
       });
}

void StoreWorker::read(const Request& request) {
  try {
    auto& store = this->store();
    auto signature = store.runs_signature();
    const bool list_changed = request.force_run_list || signature != signature_;
    std::vector<StoredRun> runs;
    if (list_changed) runs = store.runs();
    CurveMap curves;
    for (const auto id : request.curve_run_ids) {
      const auto run = store.run(id);
      if (run) curves.emplace(id, curve_of(store.metrics(id), has_ended(run->status)));
    }
    ProgressMap progress;
    for (auto& [id, run_progress] : store.running_progress()) progress.emplace(id, std::move(run_progress));
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

void StoreWorker::post_edit(QString action, std::function<Announcement(RunStore&)> edit) {
  if (edits_in_flight_++ == 0) Q_EMIT editingChanged(true);
  auto announcement = std::make_shared<Announcement>();
  auto problem = std::make_shared<std::optional<QString>>();
  post([this, edit = std::move(edit), announcement, problem] {
        try {
          *announcement = edit(store());
        } catch (const std::exception& failure) {  // locked past the timeout, read-only, vanished
          *problem = QString::fromStdString(failure.what());
        }
      },
      [this, action = std::move(action), announcement, problem] {
        if (*problem) {
          Q_EMIT editFailed(action, **problem);
        } else {
          (*announcement)();
        }
        if (--edits_in_flight_ == 0) Q_EMIT editingChanged(false);
        request({}, /*force_run_list=*/true);
      });
}

StoreWorker::Announcement StoreWorker::say(QString what) {
  return [this, what = std::move(what)] { Q_EMIT edited(what); };
}

void StoreWorker::enqueue_runs(std::vector<RunConfig> configs) {
  post_edit("queue the run", [this, configs = std::move(configs)](RunStore& store) -> Announcement {
    QList<qint64> ids;
    store.database().transaction([&] {
      for (const auto& config : configs) ids.push_back(enqueue_run(store, config));
    });
    return [this, ids] { Q_EMIT runsQueued(ids); };
  });
}

void StoreWorker::enqueue_sweeps(std::vector<nlohmann::json> specs) {
  post_edit("queue the sweep", [this, specs = std::move(specs)](RunStore& store) -> Announcement {
    int queued = 0, configs = 0;
    for (const auto& spec : specs) {
      const auto plan = enqueue_sweep(store, spec);
      queued += plan.queued;
      configs += static_cast<int>(plan.configs);
    }
    return [this, queued, configs] { Q_EMIT sweepsQueued(queued, configs); };
  });
}

void StoreWorker::cancel_runs(std::vector<int64_t> run_ids) {
  post_edit("cancel runs", [this, run_ids = std::move(run_ids)](RunStore& store) {
    for (const auto id : run_ids) store.cancel(id);
    return say("Cancelled " + count_text(run_ids.size(), "run"));
  });
}

void StoreWorker::resume_queue() {
  post_edit("resume the queue", [this](RunStore& store) -> Announcement {
    const int requeued = store.requeue({RunStatus::Interrupted});
    return [this, requeued] { Q_EMIT queueResumed(requeued); };
  });
}

void StoreWorker::reap_interrupted_runs() {
  try {
    store().mark_interrupted(kStaleHeartbeatSeconds);
  } catch (const std::exception&) {
    // A store this user may only read is still shown; its runs keep the status they have.
  }
}

void StoreWorker::remove_runs(std::vector<int64_t> run_ids) {
  post_edit("delete runs", [this, run_ids = std::move(run_ids)](RunStore& store) {
    store.database().transaction([&] {
      for (const auto id : run_ids) store.remove(id);
    });
    return say("Deleted " + count_text(run_ids.size(), "run"));
  });
}

void StoreWorker::set_hidden(std::vector<int64_t> run_ids, bool hidden) {
  post_edit(hidden ? "hide runs" : "show runs",
            [this, run_ids = std::move(run_ids), hidden](RunStore& store) {
              for (const auto id : run_ids) store.set_hidden(id, hidden);
              return say((hidden ? "Hid " : "Showed ") + count_text(run_ids.size(), "run"));
            });
}

void StoreWorker::read_sensitivity(std::optional<int64_t> id) {
  auto ids = std::make_shared<QList<qint64>>();
  auto table = std::make_shared<std::shared_ptr<const SensitivityTable>>();
  auto problem = std::make_shared<std::optional<QString>>();
  post([this, id, ids, table, problem] {
        try {
          SensitivityStore tables(store().database());
          for (const auto stored : tables.ids()) ids->push_back(stored);
          const auto wanted = id ? id : ids->isEmpty() ? std::nullopt : std::optional<int64_t>(ids->front());
          if (wanted) {
            if (auto found = tables.get(*wanted)) {
              *table = std::make_shared<const SensitivityTable>(std::move(*found));
            }
          }
        } catch (const std::exception& failure) {
          *problem = QString::fromStdString(failure.what());
        }
      },
      [this, ids, table, problem] {
        *problem ? Q_EMIT failed(**problem) : Q_EMIT sensitivityRead(*ids, *table);
      });
}

void StoreWorker::export_run(int64_t run_id, QString path, ExportFormat format) {
  post_edit("export", [this, run_id, path = std::move(path), format](RunStore& store) -> Announcement {
    const auto file = qn::export_run(store, run_id, path.toStdString(), format);
    return [this, file] { Q_EMIT exported(QString::fromStdString(file.path), file.bytes); };
  });
}

}  // namespace qn::ui
