// The run queue on real (tiny) Fashion-MNIST runs: a queue drains in order and records
// curves, results and checkpoints; a run cancelled from another connection stops within seconds.
#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <future>
#include <thread>

#include "config/run_config.h"
#include "io/qnz_reader.h"
#include "store/run_store.h"
#include "sweep/run_queue.h"
#include "train/trainer.h"
#include "train/training_run.h"

using namespace qn;
using nlohmann::json;

namespace {

json tiny_run(int64_t seed, int64_t steps) {
  return to_json(parse_run_config({{"device", "cpu"},
                                   {"data", {{"train_limit", 512}, {"eval_limit", 1000}}},
                                   {"train", {{"max_steps", steps}, {"batch_size", 32}, {"seed", seed}}}}));
}

}  // namespace

class TestRunQueue : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

 private Q_SLOTS:
  void evaluating_along_the_way_changes_no_result() {
    auto config = tiny_run(3, 6);
    config["quant"] = {{"method", "int"}, {"bits", 4}};
    config["noise"] = {{"mode", "quant-noise"}, {"p", 0.5}};
    config["model"]["width"] = 4;  // small: the 10,000 test images are evaluated 6 times
    config["model"]["hidden"] = 16;
    struct Recorder : TrainingObserver {
      std::vector<double> losses;
      std::vector<std::pair<int64_t, std::string>> evaluations;
      void on_step(const StepEvent& event) override { losses.push_back(event.loss); }
      void on_eval(const EvalEvent& event) override {
        evaluations.emplace_back(event.step, event.metric_name);
      }
    };
    const auto train = [](const json& run_config, Recorder& recorder) {
      return run_training(parse_run_config(run_config), &recorder, nullptr);
    };
    Recorder plain, evaluated;
    const auto plain_result = train(config, plain);
    auto every_two = config;
    every_two["train"]["eval_every"] = 2;
    const auto evaluated_result = train(every_two, evaluated);
    QCOMPARE(evaluated.losses, plain.losses);
    QCOMPARE(evaluated_result.metric, plain_result.metric);
    QCOMPARE(evaluated_result.float_metric, plain_result.float_metric);
    QCOMPARE(evaluated_result.size.total_bytes(), plain_result.size.total_bytes());
    using Evaluations = std::vector<std::pair<int64_t, std::string>>;
    QCOMPARE(plain.evaluations, (Evaluations{{6, "float_accuracy"}, {6, "accuracy"}}));
    QCOMPARE(evaluated.evaluations, (Evaluations{{2, "float_accuracy"}, {4, "float_accuracy"},
                                                 {6, "float_accuracy"}, {6, "accuracy"}}));
    // The same run as far as "skip configs already done" is concerned.
    QCOMPARE(config_hash(to_json(parse_run_config(every_two))), config_hash(to_json(parse_run_config(config))));
  }

  void a_queue_runs_everything_once_in_order() {
    RunStore store(path("queue.sqlite"));
    const auto a = store.add_run(tiny_run(0, 5));
    const auto b = store.add_run(tiny_run(1, 5));
    auto broken = tiny_run(2, 5);
    broken["data"]["dir"] = path("no-such-folder");
    const auto c = store.add_run(broken);
    // Each stage a run reports is in the store as it begins, for views in other processes.
    struct StageWatcher : TrainingObserver {
      RunStore other;
      std::vector<std::string> reported, stored;
      explicit StageWatcher(const std::string& db) : other(db) {}
      void on_stage(const std::string& stage) override {
        reported.push_back(stage);
        const auto running = other.running_progress();
        stored.push_back(running.empty() ? "" : running.front().second.stage);
      }
    } watcher(path("queue.sqlite"));
    const auto summary = run_queue(store, std::nullopt, &watcher, nullptr);
    QVERIFY(watcher.reported.size() >= 8);  // loading data, training, compressing, evaluating
    QCOMPARE(watcher.stored, watcher.reported);
    QCOMPARE(store.run(a)->progress->stage, std::string("evaluating"));
    QCOMPARE(summary.done, 2);
    QCOMPARE(summary.failed, 1);
    QCOMPARE(store.run(a)->status, RunStatus::Done);
    QCOMPARE(store.run(b)->status, RunStatus::Done);
    const auto failed = *store.run(c);
    QCOMPARE(failed.status, RunStatus::Failed);
    QVERIFY2(failed.error.find("no-such-folder") != std::string::npos, failed.error.c_str());
    // Three step metrics a step, then the trained model's metric and the compressed one's.
    const auto curve = store.metrics(a);
    QCOMPARE(curve.size(), size_t{3 * 5 + 2});
    QCOMPARE(curve[curve.size() - 2].name, std::string("float_accuracy"));
    QCOMPARE(curve[curve.size() - 2].value, *store.run(a)->result->float_metric);
    QCOMPARE(curve.back().name, std::string("accuracy"));
    QCOMPARE(curve.back().value, store.run(a)->result->metric);
    // Each done run keeps its checkpoint: the accounted size, and the result it stored.
    const auto checkpoint = parse_qnz(*store.checkpoint(a));
    QCOMPARE(static_cast<int64_t>(checkpoint.payload_bytes), store.run(a)->result->size_bytes);
    QCOMPARE(checkpoint.result["metric"].get<double>(), store.run(a)->result->metric);
    QCOMPARE(checkpoint.config, nlohmann::json::parse(store.run(a)->config_text));
    QVERIFY(!store.checkpoint(c).has_value());
  }

  void a_running_run_cancelled_elsewhere_stops_within_seconds() {
    const auto file = path("cancel.sqlite");
    RunStore store(file);
    store.add_run(tiny_run(0, 100000));
    auto queue = std::async(std::launch::async, [&] {
      RunStore own(file);
      QueueOptions options;
      options.heartbeat_seconds = 0.5;
      return run_queue(own, std::nullopt, nullptr, nullptr, options);
    });
    // Wait until it trains, then cancel it from this connection, as the GUI would.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (store.runs()[0].status != RunStatus::Running || store.metrics(1).empty()) {
      QVERIFY(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const auto cancelled_at = std::chrono::steady_clock::now();
    store.cancel(1);
    QVERIFY(queue.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - cancelled_at).count();
    QCOMPARE(queue.get().cancelled, 1);
    QCOMPARE(store.runs()[0].status, RunStatus::Cancelled);
    qInfo("stopped %.2f s after the cancel", seconds);
    QVERIFY2(seconds < 5.0, qPrintable(QString("stopped after %1 s").arg(seconds)));
  }
};

QTEST_GUILESS_MAIN(TestRunQueue)
#include "test_run_queue.moc"
