// A user's TorchScript model through the qnoise CLI: bad model files are exit 2 naming the
// file; a run trains, exports as TorchScript for torch.jit.load (PyTorch measures the
// accuracy qnoise eval measures), and its .qnz finds its model file, or refuses a changed one.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_support.h"
#include "test_support.h"

using qn::test::json_of;
using qn::test::Outcome;
using qn::test::run_qnoise;


class TestTorchScriptCli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  const QString source_ = QStringLiteral(QNS_SOURCE_DIR);

  QString preset() const { return source_ + "/resources/presets/fmnist-convnet.json"; }

  QStringList train_arguments(const QString& model) const {
    return {"train", "--config", preset(), "--set", "model.arch=torchscript",
            "--set", "model.path=" + dir_.filePath(model), "--set", "data.train_limit=512",
            "--set", "train.max_steps=6", "--set", "train.batch_size=64", "--device", "cpu"};
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const auto made = qn::test::run_program(qn::test::python_with_torch(),
                          {source_ + "/tests/python/make_scripted_models.py", dir_.path()});
    QVERIFY2(made.exit_code == 0, made.err.constData());
  }

  void bad_model_files_are_exit_2_naming_the_file() {
    const std::pair<const char*, const char*> cases[] = {
        {"not_torchscript.pt", "is not a TorchScript module"},
        {"truncated.pt", "is not a TorchScript module"},
        {"absent.pt", "does not exist"},
        {"no_layers.pt", "no Linear, Conv2d or Embedding layer"},
        {"three_channels.pt", "cannot take the task's input"},
        {"four_classes.pt", "the task needs floating-point logits [2, 10]"},
    };
    for (const auto& [file, problem] : cases) {
      const auto outcome = run_qnoise(train_arguments(file));
      QCOMPARE(outcome.exit_code, 2);
      QVERIFY2(outcome.err.contains(file) && outcome.err.contains(problem), outcome.err.constData());
      QCOMPARE(outcome.err.count('\n'), 1);  // one line: no TorchScript traceback
    }
  }

  void a_run_exports_to_pytorch_and_its_checkpoint_finds_its_model() {
    const auto db = dir_.filePath("runs.sqlite");
    auto arguments = train_arguments("small_cnn.pt");
    arguments << "--set" << "quant.method=int" << "--set" << "noise.mode=quant-noise"
              << "--set" << "noise.p=0.5" << "--set" << R"(quant.exclude=["^stem$"])" << "--db"
              << db << "--json";
    const auto trained = run_qnoise(arguments);
    QVERIFY2(trained.exit_code == 0, trained.err.constData());
    const auto result = json_of(trained);
    const auto run_id = QString::number(result["run_id"].toInt());
    QVERIFY(result["config"].toObject()["model"].toObject()["sha256"].toString().size() == 64);

    // PyTorch measures the exported module's accuracy as qnoise eval measures the .qnz.
    const auto exported = dir_.filePath("exported.pt");
    QCOMPARE(run_qnoise({"export", "--db", db, "--run", run_id, "--format", "torchscript", "-o",
                         exported}).exit_code, 0);
    const auto qnz = dir_.filePath("elsewhere/run.qnz");
    QDir().mkpath(dir_.filePath("elsewhere"));
    QCOMPARE(run_qnoise({"export", "--db", db, "--run", run_id, "-o", qnz}).exit_code, 0);
    // inspect marks the layer quant.exclude left uncompressed, and only it.
    const auto inspected = run_qnoise({"inspect", qnz, "--json"});
    QCOMPARE(inspected.exit_code, 0);
    for (const auto& value : json_of(inspected)["tensors"].toArray()) {
      const auto tensor = value.toObject();
      const bool stem = tensor["name"].toString() == "stem.weight";
      QCOMPARE(tensor["excluded_by"].toString(), stem ? QString("^stem$") : QString());
      if (stem) QCOMPARE(tensor["bits"].toInt(), 32);
    }
    const auto evaluated = run_qnoise({"eval", qnz, "--json"});
    QVERIFY2(evaluated.exit_code == 0, evaluated.err.constData());
    const double metric = json_of(evaluated)["metric"].toDouble();
    QCOMPARE(metric, result["metric"].toDouble());
    // data.train_limit: the standardisation's statistics come from those 512 images.
    const auto python = qn::test::run_program(qn::test::python_with_torch(), {source_ + "/experiments/your_model/evaluate_exported.py",
                                                 exported, "--train-limit", "512", "--json"});
    QVERIFY2(python.exit_code == 0, python.err.constData());
    const double pytorch_accuracy = json_of(python)["accuracy"].toDouble();
    QVERIFY2(std::abs(pytorch_accuracy - metric) <= 1e-4,  // one image of 10000 at most
             qPrintable(QString("PyTorch %1, qnoise eval %2").arg(pytorch_accuracy).arg(metric)));

    // The model file moved beside the checkpoint is found there; a changed one is refused.
    const auto beside = dir_.filePath("elsewhere/small_cnn.pt");
    QVERIFY(QFile::rename(dir_.filePath("small_cnn.pt"), beside));
    const auto found = run_qnoise({"eval", qnz, "--json"});
    QVERIFY2(found.exit_code == 0, found.err.constData());
    QCOMPARE(json_of(found)["metric"].toDouble(), metric);
    QVERIFY(QFile::remove(beside));
    QVERIFY(QFile::copy(dir_.filePath("four_classes.pt"), beside));
    const auto changed = run_qnoise({"eval", qnz});
    QCOMPARE(changed.exit_code, 2);
    QVERIFY2(changed.err.contains("small_cnn.pt") && changed.err.contains("SHA-256"),
             changed.err.constData());
    QVERIFY(QFile::remove(beside));
    const auto missing = run_qnoise({"eval", qnz});
    QCOMPARE(missing.exit_code, 2);
    QVERIFY2(missing.err.contains("small_cnn.pt") && missing.err.contains("--model"),
             missing.err.constData());
    // --model names the file outright (here the wrong one: still refused by its hash).
    const auto given = run_qnoise({"export", "--from", qnz, "--format", "torchscript", "--model",
                                   dir_.filePath("three_channels.pt"), "-o", exported});
    QCOMPARE(given.exit_code, 2);
    QVERIFY2(given.err.contains("three_channels.pt"), given.err.constData());
  }
};

QTEST_GUILESS_MAIN(TestTorchScriptCli)
#include "test_torchscript_cli.moc"
