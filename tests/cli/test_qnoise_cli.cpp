// The qnoise CLI contract (docs/cli.md, The command line): exit codes, --json
// output, clear errors.
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <vector>

#include "cli_support.h"

using qn::test::run_qnoise;

namespace {

// Writes rows x cols float32 values (a repeating ramp) to `path`.
void write_matrix(const QString& path, int rows, int cols, int extra_bytes = 0) {
  std::vector<float> values(static_cast<size_t>(rows * cols));
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = static_cast<float>((i * 37) % 101) / 50.0f - 1.0f;
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write(reinterpret_cast<const char*>(values.data()),
             static_cast<qint64>(values.size() * sizeof(float)));
  file.write(QByteArray(extra_bytes, '\0'));
}

}  // namespace

class TestQnoiseCli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

 private Q_SLOTS:
  void help_exits_zero_and_lists_commands() {
    const auto outcome = run_qnoise({"--help"});
    QCOMPARE(outcome.exit_code, 0);
    for (const char* command : {"train", "kmeans", "bench", "check", "demo", "export", "eval",
                                "inspect"})
      QVERIFY(outcome.out.contains(command));
  }

  void kmeans_json_has_the_contract_keys() {
    const auto path = dir_.filePath("w.f32");
    write_matrix(path, 64, 32);
    const auto outcome =
        run_qnoise({"kmeans", "--input", path, "--shape", "64x32", "--block", "8", "--centroids",
                    "16", "--iters", "5", "--device", "cpu", "--json"});
    QCOMPARE(outcome.exit_code, 0);
    QJsonParseError error;
    const auto json = QJsonDocument::fromJson(outcome.out, &error);
    QVERIFY2(error.error == QJsonParseError::NoError && json.isObject(), outcome.out.constData());
    const auto result = json.object();
    for (const char* key : {"objective", "seconds", "iters", "empty_clusters_resolved"}) {
      QVERIFY2(result.contains(key), key);
    }
    QCOMPARE(result["iters"].toInt(), 5);
    QCOMPARE(result["blocks"].toInt(), 64 * 4);
    QVERIFY(result["objective"].toDouble() >= 0);
    // Progress goes to stderr, never into the JSON.
    QVERIFY(outcome.err.contains("k-means"));
  }

  void a_file_of_the_wrong_size_is_exit_2_naming_it() {
    const auto path = dir_.filePath("short.f32");
    write_matrix(path, 64, 32, /*extra_bytes=*/3);
    const auto outcome = run_qnoise({"kmeans", "--input", path, "--shape", "64x32", "--block", "8",
                                     "--centroids", "16", "--iters", "1"});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY(outcome.err.contains("short.f32"));
    QVERIFY(outcome.err.contains("8195 bytes"));
    QVERIFY(outcome.err.contains("8192"));
  }

  void a_block_that_does_not_divide_is_exit_2() {
    const auto path = dir_.filePath("w2.f32");
    write_matrix(path, 8, 30);
    const auto outcome = run_qnoise({"kmeans", "--input", path, "--shape", "8x30", "--block", "8",
                                     "--centroids", "4", "--iters", "1"});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY(outcome.err.contains("block size 8 does not divide in_features = 30"));
  }

  void bad_usage_is_exit_2() {
    QCOMPARE(run_qnoise({"kmeans", "--shape", "4x4"}).exit_code, 2);  // --input missing
    QCOMPARE(run_qnoise({"no-such-command"}).exit_code, 2);
    const auto path = dir_.filePath("w3.f32");
    write_matrix(path, 4, 4);
    const auto outcome = run_qnoise({"kmeans", "--input", path, "--shape", "4by4", "--block", "4",
                                     "--centroids", "2", "--iters", "1"});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY(outcome.err.contains("4by4"));
    QCOMPARE(run_qnoise({"check", "--device", "tpu"}).exit_code, 2);
  }

  void train_json_has_the_contract_keys() {
    const QString preset = QStringLiteral(QNS_SOURCE_DIR "/resources/presets/fmnist-convnet.json");
    const auto outcome = run_qnoise({"train", "--config", preset, "--set", "data.train_limit=256",
                                     "--set", "data.eval_limit=1000", "--set", "train.max_steps=3", "--set", "quant.method=int",
                                     "--set", "quant.bits=4", "--set", "noise.mode=quant-noise",
                                     "--set", "noise.p=0.5", "--device", "cpu", "--json"});
    QCOMPARE(outcome.exit_code, 0);
    const auto result = QJsonDocument::fromJson(outcome.out).object();
    for (const char* key : {"run_id", "metric_name", "metric", "size_bytes", "fp32_size_bytes",
                            "compression", "seconds", "device"}) {
      QVERIFY2(result.contains(key), key);
    }
    QCOMPARE(result["metric_name"].toString(), QString("accuracy"));
    QVERIFY(result["metric"].toDouble() > 0.1);  // better than chance after 3 steps
    QVERIFY(result["compression"].toDouble() > 7.0);
    QCOMPARE(result["config"].toObject()["quant"].toObject()["bits"].toInt(), 4);
  }

  void train_rejects_bad_configs_naming_the_key() {
    const QString preset = QStringLiteral(QNS_SOURCE_DIR "/resources/presets/fmnist-convnet.json");
    auto outcome = run_qnoise({"train", "--config", preset, "--set", "train.lrate=0.1"});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY(outcome.err.contains("train.lrate"));
    outcome = run_qnoise({"train", "--config", preset, "--set", "quant.method=pq", "--set",
                          "quant.block_size=5", "--set", "noise.mode=quant-noise", "--set",
                          "noise.p=0.1"});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY(outcome.err.contains("layer 'stem'"));
    QCOMPARE(run_qnoise({"train", "--config", dir_.filePath("missing.json")}).exit_code, 2);
  }

  // A block size that cannot compress the classifier (512 inputs) is known from the shapes:
  // refused in seconds, before any data loads or any step trains, and never stored.
  void a_run_that_cannot_compress_is_refused_before_training() {
    const QString preset = QStringLiteral(QNS_SOURCE_DIR "/resources/presets/fmnist-convnet.json");
    const auto db = dir_.filePath("refused.sqlite");
    QElapsedTimer timer;
    timer.start();
    auto outcome = run_qnoise({"train", "--config", preset, "--set", "quant.method=pq", "--set",
                               "quant.block_size.linear=7", "--db", db, "--json"});
    const double seconds = static_cast<double>(timer.elapsed()) / 1000;
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY2(seconds < 20, qPrintable(QString("refused after %1 s").arg(seconds)));
    QVERIFY2(outcome.err.contains("layer 'classifier'"), outcome.err.constData());
    QVERIFY(outcome.err.contains("block size 7 does not divide in_features = 512"));
    QCOMPARE(outcome.err.count('\n'), 1);  // one message: no stage, no training progress
    QVERIFY(outcome.out.isEmpty());
    outcome = run_qnoise({"runs", "--db", db, "--format", "json"});
    QCOMPARE(outcome.exit_code, 0);
    QVERIFY(QJsonDocument::fromJson(outcome.out).object()["runs"].toArray().isEmpty());
  }

  void a_missing_data_folder_is_refused_before_training() {
    const QString preset = QStringLiteral(QNS_SOURCE_DIR "/resources/presets/fmnist-convnet.json");
    const auto absent = dir_.filePath("no-such-folder");
    const auto outcome = run_qnoise({"train", "--config", preset, "--set", "data.dir=" + absent});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY2(outcome.err.contains(absent.toUtf8()), outcome.err.constData());
    QVERIFY(outcome.err.contains("data.dir"));
    QVERIFY(outcome.err.contains("does not exist"));
    QCOMPARE(outcome.err.count('\n'), 1);
  }

  // A run exported three ways (train --export, export --run, export --from) gives the same
  // bytes; inspect accounts for every byte; eval reproduces the stored metric exactly.
  void an_exported_run_is_its_accounted_size_and_evaluates_to_its_stored_metric() {
    const QString preset = QStringLiteral(QNS_SOURCE_DIR "/resources/presets/fmnist-convnet.json");
    const auto db = dir_.filePath("export.sqlite");
    const auto trained = dir_.filePath("trained.qnz");
    auto outcome = run_qnoise({"train", "--config", preset, "--set", "data.train_limit=256",
                               "--set", "data.eval_limit=1000", "--set", "train.max_steps=3",
                               "--set", "quant.method=ipq",
                               "--set", "quant.centroid_bits=8", "--set", "quant.finetune_steps=2",
                               "--set", R"(quant.layers=[{"pattern": "^stem$|depthwise", "method": "int"}])",
                               "--db", db, "--export", trained, "--json"});
    QCOMPARE(outcome.exit_code, 0);
    const auto result = QJsonDocument::fromJson(outcome.out).object();
    const auto run_id = QString::number(result["run_id"].toInteger());
    // iPQ's stages (the stem and the depthwise layers are int8, in no stage): blocks.0,
    // blocks.1, blocks.2, then hidden and classifier; each measured twice.
    const auto stages = result["stages"].toArray();
    QCOMPARE(stages.size(), 4);
    QCOMPARE(stages[0].toObject()["layers"].toArray().first().toString(), QString("blocks.0.project"));
    for (const auto& stage : stages) {
      QVERIFY(stage.toObject()["metric_after_quantization"].toDouble() > 0.05);
      QVERIFY(stage.toObject()["metric_after_finetune"].isDouble());
    }
    QVERIFY(result["metric_before_finetune"].isDouble());
    QCOMPARE(result["shared_training"].toBool(), false);
    QCOMPARE(result["data_split"].toString(), QString("the data set's own test set"));

    outcome = run_qnoise({"inspect", trained, "--json"});
    QCOMPARE(outcome.exit_code, 0);
    const auto inspected = QJsonDocument::fromJson(outcome.out).object();
    QCOMPARE(inspected["size_bytes"].toInteger(), result["size_bytes"].toInteger());
    QCOMPARE(inspected["file_bytes"].toInteger(),
             inspected["size_bytes"].toInteger() + inspected["header_bytes"].toInteger());
    QVERIFY(inspected["header_bytes"].toInteger() < 4096);
    QCOMPARE(QFileInfo(trained).size(), inspected["file_bytes"].toInteger());
    qint64 tensor_bytes = 0;
    for (const auto& tensor : inspected["tensors"].toArray()) {
      tensor_bytes += tensor.toObject()["bytes"].toInteger();
      const auto name = tensor.toObject()["name"].toString();
      const QJsonValue set_by = tensor.toObject()["set_by"];  // a value: the object is a temporary
      if (name == "hidden.weight") {
        QCOMPARE(tensor.toObject()["method"].toString(), QString("pq+int8"));
        QVERIFY(set_by.isNull());
      }
      if (name == "blocks.1.depthwise.weight") {
        QCOMPARE(tensor.toObject()["method"].toString(), QString("int8"));
        QCOMPARE(set_by.toString(), QString("quant.layers[0] '^stem$|depthwise'"));
      }
      if (name == "blocks.1.depthwise_norm.weight") QVERIFY(set_by.isNull());  // not a layer's weight
    }
    QCOMPARE(tensor_bytes, result["size_bytes"].toInteger());

    outcome = run_qnoise({"eval", trained, "--json"});
    QCOMPARE(outcome.exit_code, 0);
    const auto evaluated = QJsonDocument::fromJson(outcome.out).object();
    for (const char* key : {"metric_name", "metric", "size_bytes", "file_bytes"})
      QVERIFY2(evaluated.contains(key), key);
    QCOMPARE(evaluated["metric"].toDouble(), result["metric"].toDouble());  // exactly

    const auto exported = dir_.filePath("exported.qnz");
    outcome = run_qnoise({"export", "--run", run_id, "--db", db, "-o", exported, "--json"});
    QCOMPARE(outcome.exit_code, 0);
    QFile a(trained), b(exported);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QCOMPARE(a.readAll(), b.readAll());
    const auto sha = QJsonDocument::fromJson(outcome.out).object()["sha256"].toString();
    QCOMPARE(sha.size(), 64);

    const auto decompressed = dir_.filePath("model.pt");
    outcome = run_qnoise({"export", "--from", trained, "--format", "float", "-o", decompressed});
    QCOMPARE(outcome.exit_code, 0);
    QVERIFY(QFileInfo(decompressed).size() > result["fp32_size_bytes"].toInteger());
  }

  void broken_checkpoints_and_missing_runs_are_exit_2_naming_the_problem() {
    const auto text = dir_.filePath("notes.qnz");
    QFile file(text);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not a checkpoint at all, just some text");
    file.close();
    for (const char* command : {"eval", "inspect"}) {
      const auto outcome = run_qnoise({command, text});
      QCOMPARE(outcome.exit_code, 2);
      QVERIFY(outcome.err.contains("notes.qnz"));
      QVERIFY(outcome.err.contains("magic"));
    }
    QCOMPARE(run_qnoise({"inspect", dir_.filePath("missing.qnz")}).exit_code, 2);
    const auto outcome = run_qnoise({"export", "--run", "99", "--db", dir_.filePath("empty.sqlite"),
                                     "-o", dir_.filePath("x.qnz")});
    QCOMPARE(outcome.exit_code, 2);
    QVERIFY(outcome.err.contains("no run 99"));
    QVERIFY(!QFileInfo::exists(dir_.filePath("x.qnz")));
    QCOMPARE(run_qnoise({"export", "-o", dir_.filePath("x.qnz")}).exit_code, 2);  // no source
  }

  void bench_noise_times_every_form_interleaved() {
    const auto outcome = run_qnoise({"bench", "noise", "--in", "64", "--out", "32", "--batch", "8",
                                     "--blocks", "3", "--steps-per-block", "2", "--device", "cpu",
                                     "--json"});
    QCOMPARE(outcome.exit_code, 0);
    const auto result = QJsonDocument::fromJson(outcome.out).object();
    const auto variants = result["variants"].toArray();
    QCOMPARE(variants.size(), 4);
    for (const auto& variant : variants) {
      const auto seconds = variant.toObject()["seconds_per_step"].toObject();
      QCOMPARE(seconds["count"].toInt(), 3);  // one figure a block
      QVERIFY(seconds["median"].toDouble() > 0);
      QVERIFY(seconds["lower_quartile"].toDouble() <= seconds["upper_quartile"].toDouble());
    }
    const auto comparisons = result["comparisons"].toArray();
    QCOMPARE(comparisons.size(), 3);  // each noise against plain
    for (const auto& comparison : comparisons) {
      QCOMPARE(comparison.toObject()["reference"].toString(), QString("plain"));
      QVERIFY(QStringList({"slower", "faster", "within noise"})
                  .contains(comparison.toObject()["verdict"].toString()));
    }
    QVERIFY(result["machine"].toObject()["blas"].toString().size() > 0);
    QCOMPARE(run_qnoise({"bench", "noise", "--in", "60", "--block", "8"}).exit_code, 2);
    QCOMPARE(run_qnoise({"bench", "noise", "--blocks", "1"}).exit_code, 2);  // no spread
  }

  // The engine and its PyTorch twin (experiments/bench/twin.py, run by the real Python) in
  // one schedule: the twin builds the same model (it checks the parameter count) and each
  // engine variant is paired with the twin's of the same name.
  void bench_train_times_the_pytorch_twin_in_the_same_schedule() {
    const QString twin = "/usr/bin/python3 " QNS_SOURCE_DIR "/experiments/bench/twin.py";
    const auto outcome = run_qnoise(
        {"bench", "train", "--config", QNS_SOURCE_DIR "/resources/presets/fmnist-convnet.json",
         "--set", "data.train_limit=512", "--blocks", "2", "--steps-per-block", "1", "--warmup",
         "0", "--device", "cpu", "--twin", twin, "--json"});
    QCOMPARE(outcome.exit_code, 0);
    const auto result = QJsonDocument::fromJson(outcome.out).object();
    QCOMPARE(result["parameters"].toInt(), 1023322);
    QStringList names;
    for (const auto& variant : result["variants"].toArray())
      names << variant.toObject()["variant"].toString();
    QVERIFY(names.contains("pytorch plain") && names.contains("pq proxy p=0.1"));
    QCOMPARE(names.size(), 9);
    QStringList pairs;
    for (const auto& comparison : result["comparisons"].toArray()) {
      pairs << comparison.toObject()["variant"].toString() + " / " +
                   comparison.toObject()["reference"].toString();
    }
    QVERIFY(pairs.contains("plain / pytorch plain"));
    QVERIFY(pairs.contains("int8 quant-noise p=0.5 / pytorch int8 quant-noise p=0.5"));
    QVERIFY(pairs.contains("int4 ste / plain"));
    QVERIFY(result["twin"].toObject()["versions"].toObject()["torch"].toString().startsWith("1."));

    const auto unknown = run_qnoise({"bench", "train", "--config",
                                     QNS_SOURCE_DIR "/resources/presets/fmnist-convnet.json",
                                     "--variant", "int3 magic"});
    QCOMPARE(unknown.exit_code, 2);
    QVERIFY(unknown.err.contains("--variant 'int3 magic' is not a variant of bench train"));
    const auto no_twin = run_qnoise({"bench", "noise", "--blocks", "2", "--twin", twin});
    QCOMPARE(no_twin.exit_code, 1);
    QVERIFY(no_twin.err.contains("no twin of `qnoise bench noise`"));
    const auto silent = run_qnoise({"bench", "noise", "--blocks", "2", "--twin", "exit 3"});
    QCOMPARE(silent.exit_code, 1);
    QVERIFY(silent.err.contains("the twin 'exit 3' stopped before answering"));
  }

  // Memory: a training peak at least the model's weights, gradients and Adam's two moments;
  // a k-means peak at least the weight it clusters.
  void bench_memory_measures_the_peaks() {
    const auto training = run_qnoise(
        {"bench", "memory", "--config", QNS_SOURCE_DIR "/resources/presets/fmnist-convnet.json",
         "--set", "data.train_limit=512", "--steps", "2", "--device", "cpu", "--json"});
    QCOMPARE(training.exit_code, 0);
    const auto result = QJsonDocument::fromJson(training.out).object();
    QVERIFY(result["peak_above_data_bytes"].toDouble() > 4 * 4 * 1023322.0);
    QVERIFY(result["peak_bytes"].toDouble() >= result["resident_with_data_bytes"].toDouble());

    const auto kmeans = run_qnoise({"bench", "kmeans", "--rows", "1024", "--cols", "256",
                                    "--centroids", "16", "--iters", "2", "--blocks", "2",
                                    "--steps-per-block", "1", "--device", "cpu", "--json"});
    QCOMPARE(kmeans.exit_code, 0);
    const auto memory = QJsonDocument::fromJson(kmeans.out).object()["memory"].toObject();
    QCOMPARE(memory["weight_bytes"].toInt(), 1024 * 256 * 4);
    QVERIFY(memory["peak_above_start_bytes"].toDouble() >= memory["weight_bytes"].toDouble());
  }

  // A run cancelled while it evaluates stops within a batch, long before the evaluation
  // would end.
  void bench_cancel_stops_a_run_in_its_evaluation() {
    const QString preset = QStringLiteral(QNS_SOURCE_DIR "/resources/presets/fmnist-convnet.json");
    const auto outcome =
        run_qnoise({"bench", "cancel", "--config", preset, "--set", "data.train_limit=256", "--set",
                    "train.max_steps=2", "--set", "quant.method=int", "--set", "device=cpu",
                    "--stage", "evaluating", "--after-ms", "100", "--repeats", "1", "--json"});
    QCOMPARE(outcome.exit_code, 0);
    const auto result = QJsonDocument::fromJson(outcome.out).object();
    const auto stage = result["stages"].toArray().first().toObject();
    const auto run = stage["runs"].toArray().first().toObject();
    QCOMPARE(run["cancelled_in"].toString(), QString("evaluating"));
    const double stopped = stage["max_seconds"].toDouble();
    const double evaluation = stage["uncancelled_stage_seconds"].toDouble();
    QVERIFY2(stopped < evaluation / 2,
             qPrintable(
                 QString("stopped after %1 s of a %2 s evaluation").arg(stopped).arg(evaluation)));
  }

  void check_passes_on_the_cpu() {
    const auto outcome = run_qnoise({"check", "--device", "cpu"});
    QCOMPARE(outcome.exit_code, 0);
    QVERIFY(outcome.out.contains("all checks passed"));
    QVERIFY(!outcome.out.contains("FAIL"));
  }

  void demo_json_lists_every_quantizer_with_exact_bytes() {
    const auto outcome =
        run_qnoise({"demo", "--rows", "128", "--cols", "64", "--device", "cpu", "--json"});
    QCOMPARE(outcome.exit_code, 0);
    const auto rows = QJsonDocument::fromJson(outcome.out).object()["quantizers"].toArray();
    QCOMPARE(rows.size(), 14);
    for (const auto& row : rows) {
      const auto method = row.toObject()["method"].toString();
      const auto bytes = row.toObject()["bytes"].toInteger();
      if (method == "fp32") QCOMPARE(bytes, qint64{128 * 64 * 4});
      if (method == "int4") QVERIFY(bytes == 128 * 64 / 2 + 5 || bytes == 128 * 64 / 2 + 128 * 5);
    }
  }
};

QTEST_GUILESS_MAIN(TestQnoiseCli)
#include "test_qnoise_cli.moc"
