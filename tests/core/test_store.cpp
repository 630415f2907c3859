// The results store: schema and migrations, runs and their life cycle, sweeps, the Pareto
// front, and files that are not stores.
#include <QTemporaryDir>
#include <QtTest>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>

#include "common/worker_identity.h"
#include "config/run_config.h"
#include "store/sqlite_database.h"
#include "store/pareto.h"
#include "store/run_store.h"
#include "store/schema.h"
#include "sweep/sweep_planner.h"
#include "sweep/sweep_spec.h"
#include "test_support.h"

using namespace qn;
using nlohmann::json;

namespace {

// A sweep's configs, complete, as the store keeps them.
std::vector<json> expanded(const SweepSpec& spec) {
  std::vector<json> configs;
  for (const auto& config : expand_sweep(spec)) configs.push_back(to_json(config));
  return configs;
}

json tiny_config(int64_t seed) {
  return to_json(parse_run_config({{"train", {{"seed", seed}, {"max_steps", 1}}}}));
}

StoredResult result_of(double metric, int64_t size) {
  return {"accuracy", metric, metric, size, 4 * size, 4.0, 1.5};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

class TestStore : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

 private Q_SLOTS:
  void a_grid_expands_in_a_stable_order() {
    const auto spec = parse_sweep_spec(json::parse(R"({
      "name": "grid", "base": {"quant": {"method": "int"}},
      "grid": {"quant.bits": [4, 8], "noise.mode": ["none", "ste", "quant-noise"],
               "train.lr": [0.1, 0.01]},
      "seeds": [3, 4]})"));
    const auto configs = expanded(spec);
    QCOMPARE(configs.size(), size_t{2 * 3 * 2 * 2});
    // Axes in key order (noise.mode, quant.bits, train.lr), the last fastest, seeds inside.
    auto point = [&](size_t i) {
      const auto& c = configs[i];
      return c["noise"]["mode"].get<std::string>() + "/" +
             std::to_string(c["quant"]["bits"].get<int>()) + "/" +
             std::to_string(c["train"]["lr"].get<double>()).substr(0, 4) + "/" +
             std::to_string(c["train"]["seed"].get<int64_t>());
    };
    QCOMPARE(point(0), std::string("none/4/0.10/3"));
    QCOMPARE(point(1), std::string("none/4/0.10/4"));
    QCOMPARE(point(2), std::string("none/4/0.01/3"));
    QCOMPARE(point(4), std::string("none/8/0.10/3"));
    QCOMPARE(point(8), std::string("ste/4/0.10/3"));
    QCOMPARE(point(23), std::string("quant-noise/8/0.01/4"));
    QCOMPARE(expanded(spec), configs);  // again, the same
    // A bad point names itself.
    QVERIFY(qn::test::throws_input_error(
        [] {
          expand_sweep(parse_sweep_spec(
              {{"grid", {{"quant.method", {"none"}}, {"noise.mode", {"ste"}}}}}));
        },
        {"noise.mode=\"ste\"", "quant.method is none"}));
    QVERIFY(qn::test::throws_input_error([] { parse_sweep_spec({{"grd", json::object()}}); },
                                         {"unknown key 'grd'"}));
  }

  void variants_merge_onto_the_base_and_cross_the_grid() {
    const auto spec = parse_sweep_spec(json::parse(R"({
      "base": {"quant": {"method": "int", "bits": 8}, "noise": {"p": 0.5}},
      "variants": [{"quant": {"method": "none"}},
                   {"quant": {"bits": 4}, "noise": {"mode": "quant-noise"}},
                   {"quant": {"method": "pq"}, "noise": {"mode": "quant-noise", "p": 0.1}}],
      "seeds": [0, 1]})"));
    const auto configs = expanded(spec);
    QCOMPARE(configs.size(), size_t{3 * 2});
    QCOMPARE(configs[0]["quant"]["method"], json("none"));
    QCOMPARE(configs[1]["train"]["seed"], json(1));
    QCOMPARE(configs[2]["quant"]["method"], json("int"));  // merged: the base's method stays
    QCOMPARE(configs[2]["quant"]["bits"], json(4));
    QCOMPARE(configs[2]["noise"]["p"], json(0.5));
    QCOMPARE(configs[4]["quant"]["method"], json("pq"));
    QCOMPARE(configs[4]["noise"]["p"], json(0.1));
    QVERIFY(qn::test::throws_input_error(
        [] {
          expand_sweep(parse_sweep_spec(
              {{"variants", {json::object(), {{"noise", {{"mode", "ste"}}}}}}}));
        },
        {"variant 2", "quant.method is none"}));
    QVERIFY(qn::test::throws_input_error([] { parse_sweep_spec({{"variants", json::array()}}); },
                                         {"'variants'", "non-empty"}));
  }

  void config_hashes_ignore_key_order_and_see_values() {
    const auto a = json::parse(R"({"b": 1, "a": {"y": 2, "x": 3}})");
    const auto b = json::parse(R"({"a": {"x": 3, "y": 2}, "b": 1})");
    QCOMPARE(config_hash(a), config_hash(b));
    QVERIFY(config_hash(a) != config_hash(json::parse(R"({"b": 2, "a": {"y": 2, "x": 3}})")));
    QCOMPARE(config_hash(a).size(), size_t{16});
  }

  // data.image_size came after runs were stored: a config written before it hashes as the
  // same config written now, for every task but image-folder, which the key changes.
  void the_image_side_counts_only_for_the_image_folder_task() {
    for (const char* task : {"fashion-mnist", "cifar10"}) {
      auto config = to_json(parse_run_config({{"task", task}}));
      auto before_the_key = config;
      before_the_key["data"].erase("image_size");
      QCOMPARE(config_hash(config), config_hash(before_the_key));
    }
    const auto folder = to_json(parse_run_config({{"task", "image-folder"}}));
    auto larger = folder;
    larger["data"]["image_size"] = 32;
    QVERIFY(config_hash(folder) != config_hash(larger));
  }

  void runs_go_from_queued_to_done_with_their_metrics() {
    RunStore store(path("life.sqlite"));
    const auto id = store.add_run(tiny_config(0));
    auto claimed = store.claim_next("cpu");
    QVERIFY(claimed.has_value());
    QCOMPARE(claimed->id, id);
    QCOMPARE(claimed->status, RunStatus::Running);
    QCOMPARE(claimed->attempts, int64_t{1});
    QVERIFY(!store.claim_next("cpu").has_value());  // nothing else queued
    store.add_metrics(id, {{1, "loss", 2.5}, {2, "loss", 2.0}});
    store.finish(id, result_of(0.9, 1000));
    const auto done = *store.run(id);
    QCOMPARE(done.status, RunStatus::Done);
    QCOMPARE(done.result->metric, 0.9);
    QCOMPARE(done.result->size_bytes, int64_t{1000});
    QCOMPARE(json::parse(done.config_text), tiny_config(0));
    QCOMPARE(to_json(*done.config), tiny_config(0));
    QCOMPARE(store.metrics(id).size(), size_t{2});
    QCOMPARE(*store.find_done(config_hash(tiny_config(0))), id);
  }

  void a_busy_device_is_not_claimed_until_its_run_stops_or_goes_stale() {
    RunStore store(path("device.sqlite"));
    const auto first = store.add_run(tiny_config(1));
    store.add_run(tiny_config(2));
    QCOMPARE(store.claim_next("cpu", {}, 30.0)->id, first);
    QVERIFY(!store.claim_next("cpu", {}, 30.0).has_value());  // cpu is busy
    QVERIFY(store.claim_next("cuda:0", {}, 30.0).has_value());  // another device is free
    store.add_run(tiny_config(3));
    store.database().execute("UPDATE runs SET heartbeat_at = heartbeat_at - 60");
    QVERIFY(store.claim_next("cpu", {}, 30.0).has_value());  // a dead runner frees it
    QCOMPARE(store.count_runs(RunStatus::Queued), int64_t{0});
  }

  void a_running_run_reports_its_stage_and_steps() {
    RunStore store(path("progress.sqlite"));
    const auto id = store.add_run(tiny_config(1));
    store.add_run(tiny_config(2));  // queued: no progress
    QVERIFY(!store.run(id)->progress.has_value());
    store.claim_next("cpu");
    store.begin_stage(id, "training");
    store.set_progress(id, 30, 120);
    auto progress = store.running_progress();
    QCOMPARE(progress.size(), size_t{1});
    QCOMPARE(progress[0].first, id);
    QCOMPARE(progress[0].second.stage, std::string("training"));
    QCOMPARE(progress[0].second.step, int64_t{30});
    QCOMPARE(progress[0].second.total_steps, int64_t{120});
    // 30 steps in 60 s: the other 90 take 180 s.
    const double started = progress[0].second.stage_started_at;
    QCOMPARE(*progress[0].second.seconds_left(started + 60), 180.0);
    QCOMPARE(progress[0].second.describe(started + 60), std::string("training 30/120, 3 min 00 s left"));
    QCOMPARE(progress[0].second.describe(), std::string("training 30/120"));
    store.begin_stage(id, "compressing");  // a new stage starts its count over
    const auto compressing = *store.run(id)->progress;
    QCOMPARE(compressing.stage, std::string("compressing"));
    QCOMPARE(compressing.step, int64_t{0});
    QVERIFY(!compressing.seconds_left(compressing.stage_started_at + 5).has_value());
    store.finish(id, result_of(0.9, 1000));
    QVERIFY(store.running_progress().empty());
    QCOMPARE(store.run(id)->progress->stage, std::string("compressing"));  // the last reached
  }

  void stale_runs_are_interrupted_and_can_be_requeued() {
    RunStore store(path("stale.sqlite"));
    const auto id = store.add_run(tiny_config(1));
    store.claim_next("cpu");
    store.add_metrics(id, {{1, "loss", 3.0}});
    QCOMPARE(store.mark_interrupted(60.0), 0);  // its heartbeat is fresh
    store.database().execute("UPDATE runs SET heartbeat_at = heartbeat_at - 120");
    QCOMPARE(store.mark_interrupted(60.0), 1);
    QCOMPARE(store.run(id)->status, RunStatus::Interrupted);
    QCOMPARE(store.requeue({RunStatus::Interrupted}), 1);
    QCOMPARE(store.run(id)->status, RunStatus::Queued);
    QVERIFY(store.metrics(id).empty());  // the half run's curve is gone
    QVERIFY(!store.run(id)->progress.has_value());  // and its progress
    QCOMPARE(store.claim_next("cpu")->attempts, int64_t{2});
  }

  void a_claim_records_its_worker() {
    RunStore store(path("worker.sqlite"));
    const auto id = store.add_run(tiny_config(1));
    const auto claimed = store.claim_next("cpu");
    QVERIFY(claimed->worker.has_value());
    const auto self = this_worker();
    QCOMPARE(claimed->worker->host, self.host);
    QCOMPARE(claimed->worker->pid, self.pid);
    QCOMPARE(claimed->worker->started, self.started);
    QVERIFY(!self.started.empty());
    QVERIFY(!provably_gone(self));
    QCOMPARE(store.mark_interrupted(60.0), 0);  // alive, fresh heartbeat
    QCOMPARE(store.run(id)->status, RunStatus::Running);
  }

  void a_run_whose_worker_is_gone_is_interrupted_at_once() {
    // A process that has exited (reaped): its pid names no process, or a later one.
    const pid_t child = fork();
    if (child == 0) _exit(0);
    QVERIFY(child > 0);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);

    RunStore store(path("gone.sqlite"));
    const auto dead = store.add_run(tiny_config(1));
    const auto reused = store.add_run(tiny_config(2));
    const auto elsewhere = store.add_run(tiny_config(3));
    for (int i = 0; i < 3; ++i) store.claim_next("cpu");
    const auto self = this_worker();
    auto set_worker = store.database().prepare(
        "UPDATE runs SET worker_host = ?, worker_pid = ?, worker_started = ? WHERE id = ?");
    set_worker.bind(1, self.host).bind(2, int64_t{child}).bind(3, self.started).bind(4, dead).run();
    // This process's pid, but a start time of another process: the pid was reused.
    set_worker.bind(1, self.host).bind(2, self.pid).bind(3, self.started + "0").bind(4, reused).run();
    // Another host: nothing can be known from here; its heartbeat decides.
    set_worker.bind(1, self.host + "-other").bind(2, int64_t{child}).bind(3, self.started)
        .bind(4, elsewhere).run();

    QCOMPARE(store.mark_interrupted(60.0), 2);  // heartbeats are fresh: only the gone ones
    QCOMPARE(store.run(dead)->status, RunStatus::Interrupted);
    QVERIFY(store.run(dead)->error.find("process " + std::to_string(child)) != std::string::npos);
    QCOMPARE(store.run(reused)->status, RunStatus::Interrupted);
    QCOMPARE(store.run(elsewhere)->status, RunStatus::Running);
  }

  void automatic_requeue_stops_after_the_attempt_limit() {
    RunStore store(path("attempts.sqlite"));
    const auto id = store.add_run(tiny_config(1));
    store.claim_next("cpu");
    store.database().execute("UPDATE runs SET status = 'interrupted', attempts = 3");
    QCOMPARE(store.requeue({RunStatus::Interrupted}, std::nullopt, int64_t{3}), 0);
    QCOMPARE(store.run(id)->status, RunStatus::Interrupted);
    QCOMPARE(store.requeue({RunStatus::Interrupted}), 1);  // asked for explicitly: no limit
    QCOMPARE(store.count_runs(RunStatus::Queued), int64_t{1});
  }

  void cancel_ends_queued_runs_and_flags_running_ones() {
    RunStore store(path("cancel.sqlite"));
    const auto running = store.add_run(tiny_config(1));
    const auto queued = store.add_run(tiny_config(2));
    store.claim_next("cpu");
    store.cancel(queued);
    store.cancel(running);
    QCOMPARE(store.run(queued)->status, RunStatus::Cancelled);
    QCOMPARE(store.run(running)->status, RunStatus::Running);
    QVERIFY(store.cancel_requested(running));
    store.remove(queued);
    QVERIFY(!store.run(queued).has_value());
  }

  void a_sweep_skips_configs_already_done() {
    RunStore store(path("sweep.sqlite"));
    const auto done = store.begin_run(tiny_config(0), "cpu");
    store.finish(done.id, result_of(0.8, 10));
    const json spec = {{"name", "seeds"},
                       {"base", {{"train", {{"max_steps", 1}}}}},
                       {"seeds", {0, 1, 2}}};
    const auto plan = enqueue_sweep(store, spec);
    QCOMPARE(plan.configs, size_t{3});
    QCOMPARE(plan.queued, 2);
    QCOMPARE(plan.skipped_done, 1);
    const auto again = enqueue_sweep(store, spec);  // the same sweep, nothing new
    QCOMPARE(again.sweep_id, plan.sweep_id);
    QCOMPARE(again.queued, 0);
    QCOMPARE(store.runs(plan.sweep_id).size(), size_t{2});
    SweepPlanOptions rerun;
    rerun.rerun = true;
    QCOMPARE(enqueue_sweep(store, spec, rerun).queued, 1);  // seed 0 again, on request
  }

  void a_sweep_with_one_run_that_cannot_run_queues_nothing() {
    RunStore store(path("refused.sqlite"));
    const json spec = {{"name", "one bad block size"},
                       {"base",
                        {{"task", "idx"},
                         {"data", {{"dir", dir_.path().toStdString()}}},
                         {"quant", {{"method", "pq"}}}}},
                       {"grid", {{"quant.block_size.linear", {8, 7}}}}};
    QVERIFY(qn::test::throws_input_error(
        [&] { enqueue_sweep(store, spec); },
        {"sweep run 2 of 2", "quant.block_size.linear=7", "layer 'classifier'", "block size 7"}));
    QVERIFY(store.runs().empty());
    auto sweeps = store.database().prepare("SELECT COUNT(*) FROM sweeps");
    QVERIFY(sweeps.step());
    QCOMPARE(sweeps.integer(0), int64_t{0});
  }

  void an_older_schema_is_migrated_keeping_its_rows() {
    const auto file = path("old.sqlite");
    {
      SqliteDatabase db(file);
      migrate(db, /*target=*/1);
      QCOMPARE(schema_version(db), 1);
      db.execute(
          "INSERT INTO runs (config, config_hash, status, created_at) "
          "VALUES ('{\"task\": \"idx\"}', 'abc', 'done', 0)");
    }
    RunStore store(file);
    QCOMPARE(schema_version(store.database()), kSchemaVersion);
    const auto runs = store.runs();
    QCOMPARE(runs.size(), size_t{1});
    QCOMPARE(runs[0].config_hash, std::string("abc"));
    QVERIFY(!runs[0].hidden);  // the column version 2 added, at its default
    QVERIFY(!store.checkpoint(runs[0].id).has_value());  // version 3's table, empty
    QVERIFY(!runs[0].progress.has_value());  // version 4's columns, empty
  }

  void a_done_run_keeps_its_checkpoint_and_exports_until_it_is_deleted() {
    RunStore store(path("checkpoints.sqlite"));
    const auto id = store.begin_run(tiny_config(0), "cpu").id;
    std::string bytes(100000, '\0');
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);  // NULs too
    store.finish(id, result_of(0.9, 1000), bytes);
    QCOMPARE(*store.checkpoint(id), bytes);
    store.add_artifact({id, "/tmp/a.qnz", "qnz", 123, std::string(64, 'a')});
    store.add_artifact({id, "/tmp/a.pt", "float", 456, std::string(64, 'b')});
    const auto artifacts = store.artifacts(id);
    QCOMPARE(artifacts.size(), size_t{2});
    QCOMPARE(artifacts[1].kind, std::string("float"));
    QCOMPARE(artifacts[1].bytes, int64_t{456});
    store.remove(id);
    QVERIFY(!store.checkpoint(id).has_value());
    QVERIFY(store.artifacts(id).empty());
  }

  void files_that_are_not_stores_are_refused_and_left_alone() {
    const auto text = path("notes.txt");
    std::ofstream(text) << "these are my notes, not a database\n";
    QVERIFY(qn::test::throws_input_error([&] { RunStore store(text); },
                                         {"notes.txt", "not a SQLite database"}));
    QCOMPARE(read_file(text), std::string("these are my notes, not a database\n"));

    // A SQLite file with a header but garbage after it.
    const auto corrupt = path("corrupt.sqlite");
    std::string bytes("SQLite format 3\0", 16);
    bytes += std::string(4000, '\x5a');
    std::ofstream(corrupt, std::ios::binary) << bytes;
    QVERIFY(qn::test::throws_input_error([&] { RunStore store(corrupt); }, {"corrupt.sqlite"}));
    QCOMPARE(read_file(corrupt), bytes);

    // Somebody else's SQLite database.
    const auto foreign = path("foreign.sqlite");
    {
      SqliteDatabase db(foreign);
      db.execute("CREATE TABLE recipes (name TEXT)");
    }
    const std::string foreign_bytes = read_file(foreign);
    QVERIFY(qn::test::throws_input_error([&] { RunStore store(foreign); },
                                         {"foreign.sqlite", "not a QNStudio store"}));
    QCOMPARE(read_file(foreign), foreign_bytes);  // its journal mode too (WAL is in the header)
    QVERIFY(!QFile::exists(QString::fromStdString(foreign + "-wal")));

    // A newer QNStudio's store.
    const auto newer = path("newer.sqlite");
    {
      SqliteDatabase db(newer);
      db.execute("PRAGMA user_version = 99");
    }
    QVERIFY(qn::test::throws_input_error([&] { RunStore store(newer); }, {"newer QNStudio"}));
  }

  void the_pareto_front_matches_brute_force() {
    std::mt19937 random(5);
    for (int trial = 0; trial < 200; ++trial) {
      std::vector<ParetoPoint> points(1 + random() % 40);
      for (auto& p : points) {  // few distinct values, so ties happen
        p.size_bytes = 1 + static_cast<int64_t>(random() % 8);
        p.metric = static_cast<double>(random() % 6);
      }
      for (const bool lower : {false, true}) {
        auto better = [&](double a, double b) { return lower ? a < b : a > b; };
        std::vector<size_t> expected;
        for (size_t i = 0; i < points.size(); ++i) {
          bool dominated = false;
          for (size_t j = 0; j < points.size() && !dominated; ++j) {
            const bool no_worse = points[j].size_bytes <= points[i].size_bytes &&
                                  !better(points[i].metric, points[j].metric);
            const bool strictly = points[j].size_bytes < points[i].size_bytes ||
                                  better(points[j].metric, points[i].metric);
            dominated = no_worse && strictly;
          }
          if (!dominated) expected.push_back(i);
        }
        auto front = pareto_front(points, lower);
        std::sort(front.begin(), front.end());
        QCOMPARE(front, expected);
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestStore)
#include "test_store.moc"
