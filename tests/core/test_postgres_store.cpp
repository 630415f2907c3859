// The store on a real PostgreSQL server (started by the suite): the same life of a run as
// on SQLite, atomic claims from many connections at once, and bad input (unreachable
// server, a password in the URI, a newer schema, a database that is not a store).
#include <sys/wait.h>
#include <unistd.h>

#include <QtTest>
#include <chrono>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>

#include "common/worker_identity.h"
#include "config/run_config.h"
#include "postgres_server.h"
#include "store/run_store.h"
#include "store/schema.h"
#include "store/sensitivity_store.h"
#include "store/trained_model_store.h"
#include "test_support.h"

using namespace qn;
using nlohmann::json;

namespace {

json tiny_config(int64_t seed) {
  return to_json(parse_run_config({{"train", {{"seed", seed}, {"max_steps", 1}}}}));
}

}  // namespace

class TestPostgresStore : public QObject {
  Q_OBJECT

 private:
  test::PostgresServer server_;
  int databases_ = 0;

  std::string fresh_database() { return server_.create_database("store" + std::to_string(++databases_)); }

 private Q_SLOTS:
  void initTestCase() { QVERIFY2(server_.error().empty(), server_.error().c_str()); }

  void a_new_database_gets_the_schema_once() {
    const auto uri = fresh_database();
    RunStore first(uri);
    RunStore second(uri);  // opening again finds the schema made
    QCOMPARE(first.database().engine(), DatabaseEngine::PostgreSQL);
    QCOMPARE(schema_version(second.database()), kSchemaVersion);
  }

  void a_run_lives_as_on_sqlite() {
    RunStore store(fresh_database());
    const auto sweep = store.add_sweep("pg", {{"name", "pg"}});
    const auto id = store.add_run(tiny_config(1), sweep);
    const auto other = store.add_run(tiny_config(2), sweep);
    QCOMPARE(other, id + 1);
    QCOMPARE(store.count_runs(RunStatus::Queued, sweep), int64_t{2});
    QCOMPARE(store.count_runs(RunStatus::Queued), int64_t{2});

    const auto claimed = store.claim_next("cpu", sweep, 30.0);
    QCOMPARE(claimed->id, id);
    QCOMPARE(claimed->status, RunStatus::Running);
    QCOMPARE(claimed->attempts, int64_t{1});
    QCOMPARE(claimed->worker->pid, this_worker().pid);
    QCOMPARE(nlohmann::json::parse(claimed->config_text), tiny_config(1));
    QVERIFY(!store.claim_next("cpu", sweep, 30.0));  // the device is held on this host

    // Curves come back in the order written, NaN included.
    store.add_metrics(id, {{1, "loss", 2.5}, {1, "lr", 1e-3}, {2, "loss", std::nan("")},
                           {1, "accuracy_after_quantization", 0.75}});
    const auto points = store.metrics(id);
    QCOMPARE(points.size(), size_t{4});
    QCOMPARE(points[1].name, std::string("lr"));
    QVERIFY(std::isnan(points[2].value));
    QCOMPARE(points[3].step, int64_t{1});

    store.begin_stage(id, "training");
    store.set_progress(id, 3, 10);
    QCOMPARE(store.running_progress().at(0).second.step, int64_t{3});

    const std::string checkpoint("QNZ\0\x01\xff binary", 14);
    const auto before = store.runs_signature();
    store.finish(id, {"accuracy", 0.8125, 0.8250, 1234, 4936, 4.0, 1.5}, checkpoint);
    QVERIFY(store.runs_signature() != before);
    const auto done = *store.run(id);
    QCOMPARE(done.status, RunStatus::Done);
    QCOMPARE(done.result->metric, 0.8125);  // doubles round-trip exactly
    QCOMPARE(*done.result->float_metric, 0.8250);
    QCOMPARE(done.result->size_bytes, int64_t{1234});
    QCOMPARE(*store.checkpoint(id), checkpoint);
    QCOMPARE(*store.find_done(done.config_hash), id);
    QCOMPARE(*store.find_in_sweep(sweep, done.config_hash), id);

    store.add_artifact({id, "/tmp/model.qnz", "qnz", 99, std::string(64, 'a')});
    QCOMPARE(store.artifacts(id).at(0).bytes, int64_t{99});

    // The other run: cancelled while queued, then queued again, then failed.
    store.cancel(other);
    QCOMPARE(store.run(other)->status, RunStatus::Cancelled);
    QCOMPARE(store.requeue({RunStatus::Cancelled}, sweep), 1);
    const auto second = store.claim_next("cpu");
    QCOMPARE(second->id, other);
    store.end(other, RunStatus::Failed, "loss became NaN at step 3");
    QCOMPARE(store.run(other)->error, std::string("loss became NaN at step 3"));
    store.set_hidden(other, true);
    QVERIFY(store.run(other)->hidden);
    store.remove(other);
    QVERIFY(!store.run(other));
    QCOMPARE(store.runs(sweep).size(), size_t{1});
  }

  void trained_models_are_kept_while_wanted() {
    RunStore store(fresh_database());
    const auto first = store.add_run(tiny_config(1));
    store.add_run(tiny_config(1));
    store.claim_next("cpu");
    TrainedModelStore models(store, first);
    const std::string state("\x80\x02pickled\0state", 15);
    models.keep("key", "cpu", {state, "[]", 7});
    QVERIFY(!models.wants("key"));  // no queued or running run has this training key
    QCOMPARE(models.find("key", "cpu")->state, state);
    models.keep("key", "cpu", {state + "2", "[]", 8});  // kept again: replaced
    QCOMPARE(models.find("key", "cpu")->steps, int64_t{8});
  }

  // Schema 8's tables, made by PostgreSQL's own migration.
  void sensitivity_tables_live_as_on_sqlite() {
    RunStore store(fresh_database());
    SensitivityTable table;
    table.config = tiny_config(3);
    table.config_hash = config_hash(table.config);
    table.training_key = "key";
    table.candidates = {"int4", "pq64"};
    table.device = "cpu (2 threads)";
    table.metric_name = "accuracy";
    table.evaluation_split = "test";
    table.baseline_metric = 0.875;
    table.float_metric = 0.8755;
    table.seconds = 12.5;
    table.rows = {{"stem", "int4", "int4 (minmax)", 76, 212, 0.87, 0.005},
                  {"classifier", "pq64", "pq K=64 b=8", 1184, 19296, 0.86, 0.015}};
    SensitivityStore tables(store.database());
    const auto id = tables.add(table);
    const auto back = tables.get(id);
    QVERIFY(back);
    QCOMPARE(back->config, table.config);
    QCOMPARE(back->candidates, table.candidates);
    QCOMPARE(back->rows.size(), size_t{2});
    QCOMPARE(back->rows[1].layer, std::string("classifier"));
    QCOMPARE(back->rows[1].bytes_saved, int64_t{19296});
    QCOMPARE(back->rows[1].metric_drop, 0.015);
    QCOMPARE(*tables.find(table.config_hash, table.candidates, table.device)->id, id);
    QVERIFY(!tables.find(table.config_hash, {"int4"}, table.device));
  }

  void a_dead_workers_run_is_interrupted_and_requeued() {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    RunStore store(fresh_database());
    const auto id = store.add_run(tiny_config(1));
    store.claim_next("cpu");
    store.database()
        .prepare("UPDATE runs SET worker_pid = ? WHERE id = ?")
        .bind(1, int64_t{child})
        .bind(2, id)
        .run();
    QCOMPARE(store.mark_interrupted(60.0), 1);
    QCOMPARE(store.requeue({RunStatus::Interrupted}, std::nullopt, int64_t{3}), 1);
    QCOMPARE(store.claim_next("cpu")->attempts, int64_t{2});
  }

  void concurrent_claims_take_each_run_once() {
    const auto uri = fresh_database();
    constexpr int kRuns = 60;
    {
      RunStore store(uri);
      for (int i = 0; i < kRuns; ++i) store.add_run(tiny_config(i));
    }
    std::mutex mutex;
    std::vector<int64_t> taken;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) {
      workers.emplace_back([&] {
        RunStore store(uri);  // a connection each, as separate workers have
        while (auto run = store.claim_next("cpu")) {
          std::lock_guard<std::mutex> lock(mutex);
          taken.push_back(run->id);
        }
      });
    }
    for (auto& worker : workers) worker.join();
    QCOMPARE(taken.size(), size_t{kRuns});
    QCOMPARE(std::set<int64_t>(taken.begin(), taken.end()).size(), size_t{kRuns});
  }

  void an_unreachable_server_is_a_clear_error_within_seconds() {
    const auto started = std::chrono::steady_clock::now();
    // A closed port on this machine, and a socket folder with no server in it.
    QVERIFY(test::throws_input_error([] { RunStore("postgresql://postgres@127.0.0.1:1/qns"); },
                                     {"cannot connect to PostgreSQL", "127.0.0.1:1"}));
    QVERIFY(test::throws_input_error(
        [] { RunStore("postgresql://postgres@/qns?host=/nonexistent-folder"); },
        {"cannot connect to PostgreSQL", "nonexistent-folder"}));
    QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
    QVERIFY(test::throws_input_error([&] { RunStore(server_.uri("no_such_database")); },
                                     {"cannot connect", "no_such_database"}));
  }

  void a_password_in_the_uri_is_refused() {
    QVERIFY(test::throws_input_error(
        [] { RunStore("postgresql://postgres:secret@127.0.0.1/qns"); },
        {"holds a password", "~/.pgpass", "PGPASSWORD"}));
  }

  void a_newer_or_foreign_database_is_refused_and_kept() {
    const auto newer = fresh_database();
    {
      RunStore store(newer);
      store.add_run(tiny_config(1));
      store.database().execute("UPDATE qnstudio_schema SET version = 99");
    }
    QVERIFY(test::throws_input_error([&] { RunStore store(newer); }, {"newer QNStudio", "99"}));

    const auto foreign = fresh_database();
    Database::open(foreign)->execute("CREATE TABLE thesis (chapter TEXT)");
    QVERIFY(test::throws_input_error([&] { RunStore store(foreign); },
                                     {"not a QNStudio store"}));
    const auto database = Database::open(foreign);
    auto query = database->prepare("SELECT count(*) FROM thesis");
    QVERIFY(query.step());  // untouched
  }
};

QTEST_GUILESS_MAIN(TestPostgresStore)
#include "test_postgres_store.moc"
