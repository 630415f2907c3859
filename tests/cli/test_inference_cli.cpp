// Inference from the codes through the qnoise CLI: `eval --engine lut` scores a PQ run as
// the decoded model does, refuses a model it has nothing to serve in; a checkpoint whose
// codes name missing centroids never becomes a TorchScript export; `bench infer` times a
// layer and a model and measures a model's resident memory.
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "cli_support.h"
#include "io/checkpoint.h"
#include "quant/pq_quantizer.h"
#include "test_support.h"

using qn::test::json_of;
using qn::test::run_qnoise;

class TestInferenceCli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  const QString source_ = QStringLiteral(QNS_SOURCE_DIR);

  // A short Fashion-MNIST ConvNet run quantized by `method`, its checkpoint at `qnz`.
  void train(const QString& method, const QString& qnz) {
    const auto trained = run_qnoise(
        {"train", "--config", source_ + "/resources/presets/fmnist-convnet.json", "--set",
         "quant.method=" + method, "--set", "data.train_limit=512", "--set", "train.max_steps=8",
         "--set", "train.batch_size=64", "--set", "model.hidden=256", "--device", "cpu",
         "--export", qnz});
    QVERIFY2(trained.exit_code == 0, trained.err.constData());
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    train("pq", dir_.filePath("pq.qnz"));
    train("int", dir_.filePath("int8.qnz"));
  }

  void lookup_tables_score_a_pq_run_as_its_decoded_weights_do() {
    const auto decoded = run_qnoise({"eval", dir_.filePath("pq.qnz"), "--json"});
    const auto lookup = run_qnoise({"eval", dir_.filePath("pq.qnz"), "--engine", "lut", "--json"});
    QVERIFY2(lookup.exit_code == 0, lookup.err.constData());
    QCOMPARE(json_of(lookup)["engine"].toString(), QString("lut"));
    QCOMPARE(json_of(lookup)["metric"].toDouble(), json_of(decoded)["metric"].toDouble());
  }

  void lookup_tables_refuse_a_model_without_product_quantized_layers() {
    const auto refused = run_qnoise({"eval", dir_.filePath("int8.qnz"), "--engine", "lut"});
    QCOMPARE(refused.exit_code, 2);
    QVERIFY2(refused.err.contains("nothing to compute from codes"), refused.err.constData());
    const auto engine = run_qnoise({"eval", dir_.filePath("pq.qnz"), "--engine", "fast"});
    QCOMPARE(engine.exit_code, 2);
    QVERIFY2(engine.err.contains("decoded or lut"), engine.err.constData());
  }

  // K = 3 leaves 2-bit codes room to name a fourth centroid: the reader refuses such a file
  // before any export is built from it.
  void codes_beyond_the_codebook_never_reach_an_export() {
    qn::BlockLayout layout({"fc", qn::LayerKind::Linear}, {4, 8}, 4);
    const auto codebook = qn::Codebook::store(torch::randn({3, 4}), qn::CodebookFormat::Fp16);
    qn::CompressedModel model;
    model.add("fc.weight", std::make_shared<qn::PqTensor>(layout, codebook,
                                                          torch::full({8}, 3, torch::kLong)));
    const auto path = dir_.filePath("bad_codes.qnz");
    std::ofstream(path.toStdString(), std::ios::binary)
        << qn::encode_checkpoint(model, {{"model", {{"arch", "convnet"}}}}, nullptr);
    const auto exported = run_qnoise({"export", "--from", path, "--format", "torchscript", "-o",
                                      dir_.filePath("bad.pt")});
    QCOMPARE(exported.exit_code, 2);
    QVERIFY2(exported.err.contains("'fc.weight'") && exported.err.contains("code 3") &&
                 exported.err.contains("3 centroids"),
             exported.err.constData());
    QVERIFY(!QFile::exists(dir_.filePath("bad.pt")));
  }

  void bench_infer_times_a_layer_and_a_model_and_measures_memory() {
    const auto layer = run_qnoise({"bench", "infer", "--in", "64", "--out", "512", "--batch", "1",
                                   "--blocks", "2", "--steps-per-block", "2", "--warmup", "1",
                                   "--json"});
    QVERIFY2(layer.exit_code == 0, layer.err.constData());
    QVERIFY(json_of(layer)["lookup_relative_difference"].toDouble() < 1e-5);
    const auto model = run_qnoise({"bench", "infer", "--from", dir_.filePath("pq.qnz"), "--batch",
                                   "2", "--blocks", "2", "--steps-per-block", "1", "--warmup",
                                   "1", "--json"});
    QVERIFY2(model.exit_code == 0, model.err.constData());
    QVERIFY(json_of(model)["lookup_relative_difference"].toDouble() < 1e-5);
    const auto memory = run_qnoise({"bench", "infer", "--from", dir_.filePath("pq.qnz"),
                                    "--memory", "lut", "--json"});
    QVERIFY2(memory.exit_code == 0, memory.err.constData());
    QVERIFY(json_of(memory)["model_resident_bytes"].toDouble() > 0);
  }
};

QTEST_GUILESS_MAIN(TestInferenceCli)
#include "test_inference_cli.moc"
