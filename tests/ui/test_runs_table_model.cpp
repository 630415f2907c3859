// The runs table's model: what each column shows for each kind of run (and the raw value
// it sorts by), the queue's state, runs whose config this engine cannot read, and CSV.
#include <QtTest>

#include "config/run_config.h"
#include "runs_table_model.h"

using namespace qn;
using namespace qn::ui;
using nlohmann::json;

namespace {

StoredRun run_of(int64_t id, const json& config, RunStatus status) {
  StoredRun run;
  run.id = id;
  run.config = parse_run_config(config);
  run.config_text = to_json(*run.config).dump();
  run.status = status;
  return run;
}

QString cell(const RunsTableModel& model, int64_t run_id, int column, int role = Qt::DisplayRole) {
  return model.index(model.row_of(run_id), column).data(role).toString();
}

}  // namespace

class TestRunsTableModel : public QObject {
  Q_OBJECT

 private:
  RunsTableModel model_;

 private Q_SLOTS:
  void init() {
    std::vector<StoredRun> runs;
    auto done = run_of(1, {{"quant", {{"method", "int"}, {"bits", 4}, {"observer", "channel"}}},
                           {"noise", {{"mode", "quant-noise"}, {"p", 0.25}}},
                           {"train", {{"seed", 3}}}},
                       RunStatus::Done);
    done.result = StoredResult{"accuracy", 0.875, 0.9, 123456, 987654, 8.0, 125.0};
    done.worker = WorkerIdentity{"node-7", 4242, "boot/1"};
    runs.push_back(done);
    runs.push_back(run_of(2, {{"quant", {{"method", "pq"}, {"block_size", {{"linear", 16}}},
                                         {"centroids", 64}}}},
                          RunStatus::Queued));
    runs.push_back(run_of(3, {{"quant", {{"method", "ipq"}, {"centroid_bits", 8}}},
                              {"noise", {{"mode", "ste"}, {"form", "exact"}}}},
                          RunStatus::Queued));
    auto running = run_of(4, json::object(), RunStatus::Running);
    runs.push_back(running);
    StoredRun unreadable;  // written by another version of the engine
    unreadable.id = 5;
    unreadable.config_text = R"({"quant": {"method": "int9"}})";
    unreadable.status = RunStatus::Failed;
    runs.push_back(unreadable);
    model_.set_runs(std::make_shared<const std::vector<StoredRun>>(std::move(runs)));
  }

  void each_column_shows_the_runs_config_in_words() {
    QCOMPARE(model_.rowCount(), 5);
    QCOMPARE(cell(model_, 1, RunsTableModel::Quantizer), QString("int4 (channel)"));
    QCOMPARE(cell(model_, 1, RunsTableModel::Noise), QString("quant-noise"));
    QCOMPARE(model_.index(model_.row_of(1), RunsTableModel::Rate).data().toDouble(), 0.25);
    QCOMPARE(cell(model_, 1, RunsTableModel::Block), QString());  // int: no blocks
    QCOMPARE(cell(model_, 1, RunsTableModel::Seed), QString("3"));
    QCOMPARE(cell(model_, 1, RunsTableModel::Host), QString("node-7"));  // where it ran
    QCOMPARE(cell(model_, 2, RunsTableModel::Host), QString());  // queued: no worker yet
    QCOMPARE(cell(model_, 2, RunsTableModel::Quantizer), QString("PQ K=64"));
    QCOMPARE(cell(model_, 2, RunsTableModel::Block), QString("16/4/9"));
    QCOMPARE(cell(model_, 2, RunsTableModel::Centroids), QString("64"));
    QCOMPARE(cell(model_, 2, RunsTableModel::Rate), QString());  // no Quant-Noise, no p
    QCOMPARE(cell(model_, 3, RunsTableModel::Quantizer), QString("iPQ+int8 K=256"));
    QCOMPARE(cell(model_, 4, RunsTableModel::Quantizer), QString("fp32"));
    QCOMPARE(cell(model_, 4, RunsTableModel::Task), QString("fashion-mnist"));
  }

  void results_show_for_people_and_sort_by_their_values() {
    QCOMPARE(cell(model_, 1, RunsTableModel::Metric), QString("0.8750"));
    QCOMPARE(cell(model_, 1, RunsTableModel::Size), QString("123.5 KB"));
    QCOMPARE(model_.index(model_.row_of(1), RunsTableModel::Size).data(Qt::UserRole).toLongLong(),
             qlonglong{123456});
    QCOMPARE(cell(model_, 1, RunsTableModel::Compression), QString("x8.0"));
    QCOMPARE(cell(model_, 2, RunsTableModel::Metric), QString());  // not done yet
  }

  void the_progress_column_shows_the_queue() {
    QCOMPARE(cell(model_, 1, RunsTableModel::Progress), QString("took 2 min 05 s"));
    QCOMPARE(cell(model_, 2, RunsTableModel::Progress), QString("#1 in queue"));
    QCOMPARE(cell(model_, 3, RunsTableModel::Progress), QString("#2 in queue"));
    QCOMPARE(cell(model_, 4, RunsTableModel::Progress), QString("starting"));
    QSignalSpy changed(&model_, &RunsTableModel::dataChanged);
    model_.set_progress({{4, RunProgress{"training", 1000.0, 100, 300}}}, 1010.0);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(cell(model_, 4, RunsTableModel::Progress), QString("training 100/300, 20 s left"));
  }

  void a_config_this_engine_cannot_read_is_listed_not_refused() {
    QVERIFY(cell(model_, 5, RunsTableModel::Quantizer).startsWith("unreadable config"));
    QCOMPARE(cell(model_, 5, RunsTableModel::Noise), QString());
    QVERIFY(!model_.config_at(model_.row_of(5)).has_value());
    QVERIFY(model_.config_at(model_.row_of(1)).has_value());
    QCOMPARE(model_.row_of(99), -1);
  }

  void csv_holds_every_row_with_raw_values() {
    QString text;
    QTextStream out(&text);
    model_.write_csv(out);
    const auto lines = text.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 6);
    QVERIFY(lines[0].startsWith("id,status,progress,task,quantizer"));
    QVERIFY2(lines[1].contains("\"123456\""), qPrintable(lines[1]));  // the size in bytes
    QVERIFY(lines[1].contains("\"int4 (channel)\""));
  }
};

QTEST_MAIN(TestRunsTableModel)
#include "test_runs_table_model.moc"
