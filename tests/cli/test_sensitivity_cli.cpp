// qnoise sensitivity and qnoise solve through the CLI contract (docs/cli.md, The
// command line): the JSON keys, a table stored and found again by solve, a mixed config run
// whose measured size is the predicted one, and bad input as exit 2 with one clear message.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "cli_support.h"

using qn::test::json_of;
using qn::test::Outcome;
using qn::test::run_qnoise;


class TestSensitivityCli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  QString config_;
  QString db_;

  QStringList measured(const QString& command) const {
    return {command, "--config", config_, "--candidates", "int4,pq16", "--eval-limit", "300",
            "--db", db_, "--json"};
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    config_ = dir_.filePath("tiny.json");
    db_ = dir_.filePath("store.sqlite");
    const nlohmann::json config = {
        {"device", "cpu"},
        {"data", {{"train_limit", 512}}},
        {"model", {{"width", 16}, {"hidden", 32}}},
        {"train", {{"max_steps", 8}, {"batch_size", 32}}},
        {"quant",
         {{"method", "none"}, {"block_size", {{"linear", 8}, {"conv1x1", 4}, {"conv", 9}}}}}};
    std::ofstream(config_.toStdString()) << config.dump();
  }

  void sensitivity_prints_the_contract_keys_and_stores_the_table() {
    const auto outcome = run_qnoise(measured("sensitivity"));
    QVERIFY2(outcome.exit_code == 0, outcome.err.constData());
    const auto json = json_of(outcome);
    QCOMPARE(json["metric_name"].toString(), QString("accuracy"));
    QVERIFY(json["baseline_metric"].isDouble());
    QVERIFY(json["table_id"].isDouble());
    const auto rows = json["rows"].toArray();
    QVERIFY(rows.size() >= 8);
    for (const auto& value : rows) {
      const auto row = value.toObject();
      for (const char* key : {"layer", "candidate", "bytes_saved", "metric", "metric_drop"}) {
        QVERIFY2(row.contains(key), key);
      }
      QVERIFY(row["bytes_saved"].toDouble() > 0);
    }
  }

  // Reuses the stored table (same config, candidates, device), runs the mixed config and
  // records it: the measured size is the predicted size.
  void solve_runs_the_mixed_config_at_the_predicted_size() {
    auto arguments = measured("solve");
    arguments << "--target-ratio" << "3" << "--run" << "-o" << dir_.filePath("mixed.json");
    const auto outcome = run_qnoise(arguments);
    QVERIFY2(outcome.exit_code == 0, outcome.err.constData());
    const auto json = json_of(outcome);
    for (const char* key : {"target_bytes", "predicted_bytes", "predicted_metric", "config",
                            "metric", "size_bytes"}) {
      QVERIFY2(json.contains(key), key);
    }
    QVERIFY(json["sensitivity_table_id"].isDouble());  // found in the store, not measured again
    QVERIFY(json["predicted_bytes"].toDouble() <= json["target_bytes"].toDouble());
    QCOMPARE(json["size_bytes"].toDouble(), json["predicted_bytes"].toDouble());
    QVERIFY(json["run_id"].isDouble());
    QVERIFY(json["config"].toObject()["quant"].toObject()["layers"].toArray().size() >= 8);
    const auto runs = run_qnoise({"runs", "--db", db_, "--format", "json"});
    QCOMPARE(runs.exit_code, 0);
    QVERIFY(runs.out.contains("\"done\""));
    QVERIFY(QFile::exists(dir_.filePath("mixed.json")));
  }

  void bad_input_is_exit_2_with_one_message() {
    const std::pair<QStringList, const char*> cases[] = {
        {{"solve", "--config", config_, "--target-bytes", "1000"}, "smallest size these candidates reach"},
        {{"solve", "--config", config_}, "--target-bytes"},
        {{"sensitivity", "--db", db_, "--run", "999"}, "there is no run 999"},
        {{"sensitivity", "--config", config_, "--candidates", "int9"}, "unknown candidate 'int9'"},
    };
    for (const auto& [arguments, message] : cases) {
      const auto outcome = run_qnoise(arguments);
      QCOMPARE(outcome.exit_code, 2);
      QVERIFY2(outcome.err.contains(message), outcome.err.constData());
      QCOMPARE(outcome.err.count('\n'), 1);
    }
  }
};

QTEST_GUILESS_MAIN(TestSensitivityCli)
#include "test_sensitivity_cli.moc"
