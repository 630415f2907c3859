// The checks a run passes before training (check_before_training): each problem that can be
// known from the config, the shapes and the file system is refused at once, naming it, and
// run_training and enqueue_run refuse it before they load data or queue anything.
#include <torch/cuda.h>

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <map>

#include "store/run_store.h"
#include "sweep/sweep_planner.h"
#include "test_support.h"
#include "train/run_check.h"
#include "train/size_preview.h"
#include "train/training_run.h"

using namespace qn;
using qn::test::throws_input_error;

namespace {

struct StageRecorder : TrainingObserver {
  std::vector<std::string> stages;
  void on_stage(const std::string& stage) override { stages.push_back(stage); }
};

}  // namespace

class TestRunCheck : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

  // A ConvNet run on an IDX folder that exists (empty: only loading would notice), so that
  // only the problem each test adds is in the way.
  RunConfig runnable() {
    RunConfig config;
    config.task = "idx";
    config.data.dir = dir_.path().toStdString();
    config.device = "cpu";
    config.quant.method = QuantMethod::PQ;
    return config;
  }

 private Q_SLOTS:
  void a_runnable_config_passes() { check_before_training(runnable()); }

  // The image side is the config's and the classes are the folder's names, so the preview
  // follows them; the channels come from the pixels, so it is not exact.
  void an_image_folder_preview_follows_its_image_size_and_class_folders() {
    auto config = runnable();
    config.task = "image-folder";
    config.data.dir = dir_.filePath("photos").toStdString();
    for (const char* name : {"cat", "dog", "owl"}) {
      std::filesystem::create_directories(config.data.dir + "/" + name);
    }
    QCOMPARE(nominal_task(config).classes, int64_t{3});
    config.data.image_size = 56;
    const auto preview = check_before_training(config);
    QVERIFY(!preview.exact);
    config.data.image_size = 28;
    QVERIFY(check_before_training(config).size.fp32_bytes() < preview.size.fp32_bytes());
    config.data.dir = dir_.filePath("not-yet").toStdString();  // as the user types it
    QCOMPARE(nominal_task(config).classes, int64_t{10});
  }

  void a_config_built_in_code_is_held_to_the_config_rules() {
    auto config = runnable();
    config.train.lr = -1;
    QVERIFY(throws_input_error([&] { check_before_training(config); }, {"train.lr"}));
  }

  void a_block_size_that_does_not_divide_a_layer_names_the_layer() {
    auto config = runnable();
    config.quant.block_size.linear = 7;  // the hidden layer reads 1960 = 7 * 280; 512 does not
    QVERIFY(throws_input_error(
        [&] { check_before_training(config); },
        {"layer 'classifier'", "block size 7", "does not divide in_features = 512"}));
    // The GUI's size preview refuses it by the same path.
    QVERIFY(throws_input_error([&] { preview_size(config); }, {"layer 'classifier'"}));
  }

  void an_ipq_stage_pattern_that_matches_no_layer_is_refused() {
    auto config = runnable();
    config.quant.method = QuantMethod::IPQ;
    config.quant.stages = {"^stem$", "^no_such_layer$"};
    QVERIFY(throws_input_error([&] { check_before_training(config); },
                               {"'^no_such_layer$'", "quant.stages"}));
  }

  void per_layer_settings_show_in_the_preview_and_an_unused_one_is_refused() {
    auto config = runnable();
    config.quant.layers = {{"^stem$|depthwise", QuantMethod::Int, 8, {}, {}, {}},
                           {"^classifier$", {}, {}, {}, BlockSizes::uniform(4), 16}};
    const auto preview = check_before_training(config);
    const auto plain = check_before_training(runnable());
    std::map<std::string, LayerPreview> layers;
    for (const auto& layer : preview.layers) layers[layer.layer.name] = layer;
    QCOMPARE(layers.at("stem").storage, std::string("int8 (minmax)"));
    QCOMPARE(layers.at("stem").override_index, std::optional<size_t>(0));
    QCOMPARE(layers.at("blocks.0.depthwise").storage, std::string("int8 (minmax)"));
    QCOMPARE(layers.at("classifier").storage, std::string("pq K=16 b=4"));
    QCOMPARE(layers.at("hidden").storage, std::string("pq K=256 b=8"));
    QVERIFY(!layers.at("hidden").override_index.has_value());
    const auto bytes_of = [](const SizePreview& size, const std::string& tensor) {
      for (const auto& entry : size.size.entries()) {
        if (entry.name == tensor) return entry.bytes.total();
      }
      return int64_t{-1};
    };
    // stem: 16 x 1 x 3 x 3 weights at one byte, plus its range (scale and zero point).
    QVERIFY(bytes_of(preview, "stem.weight") >= 144 && bytes_of(preview, "stem.weight") < 160);
    QCOMPARE(bytes_of(preview, "hidden.weight"), bytes_of(plain, "hidden.weight"));

    config.quant.layers.push_back({"^no_such_layer$", QuantMethod::None, {}, {}, {}, {}});
    QVERIFY(throws_input_error([&] { check_before_training(config); },
                               {"quant.layers[2].pattern", "'^no_such_layer$'", "matches no layer"}));
    // A per-layer block size that does not divide its layer names the layer.
    config.quant.layers = {{"^hidden$", {}, {}, {}, BlockSizes::uniform(11), {}}};
    QVERIFY(throws_input_error([&] { check_before_training(config); },
                               {"layer 'hidden'", "block size 11"}));
  }

  void a_model_over_the_size_bound_is_refused() {
    auto config = runnable();
    config.model.width = 4000;
    config.model.hidden = 100000;
    QVERIFY(throws_input_error([&] { check_before_training(config); },
                               {"model.width/hidden", "parameters"}));
  }

  void a_language_model_without_a_vocabulary_cap_passes() {
    RunConfig config;
    config.task = "text-lm";
    config.model.arch = "transformer-lm";
    config.data.vocabulary_cap = 0;  // the vocabulary is only known from the corpus
    config.data.path = dir_.filePath("corpus.txt").toStdString();
    std::ofstream(config.data.path) << "a few words\n";
    config.quant.method = QuantMethod::PQ;
    check_before_training(config);
  }

  void missing_data_is_refused_naming_the_key_and_the_path() {
    auto config = runnable();
    config.data.dir = dir_.filePath("absent").toStdString();
    QVERIFY(throws_input_error([&] { check_before_training(config); },
                               {"data.dir", config.data.dir, "does not exist"}));

    config.data.dir = dir_.filePath("a-file").toStdString();
    std::ofstream(config.data.dir) << "not a folder";
    QVERIFY(throws_input_error([&] { check_before_training(config); }, {"is not a folder"}));

    RunConfig text;
    text.task = "text-lm";
    text.model.arch = "transformer-lm";
    text.data.path = dir_.path().toStdString();
    QVERIFY(
        throws_input_error([&] { check_before_training(text); }, {"data.path", "is not a file"}));
  }

  void cuda_without_a_cuda_device_is_refused() {
    if (torch::cuda::is_available()) QSKIP("this machine has a CUDA device");
    auto config = runnable();
    config.device = "cuda";
    QVERIFY(throws_input_error([&] { check_before_training(config); }, {"cuda"}));
  }

  void a_run_is_refused_before_any_data_loads() {
    auto config = runnable();
    config.data.dir = dir_.filePath("absent").toStdString();
    StageRecorder recorder;
    QVERIFY(
        throws_input_error([&] { run_training(config, &recorder, nullptr); }, {"does not exist"}));
    QVERIFY(recorder.stages.empty());  // not even "loading data"
  }

  void a_run_that_fails_its_checks_is_not_queued() {
    RunStore store(dir_.filePath("queue.sqlite").toStdString());
    auto bad = runnable();
    bad.quant.block_size.linear = 7;
    QVERIFY(throws_input_error([&] { enqueue_run(store, bad); }, {"layer 'classifier'"}));
    QVERIFY(store.runs().empty());
    const auto id = enqueue_run(store, runnable());
    QCOMPARE(store.runs().size(), size_t{1});
    QCOMPARE(store.run(id)->status, RunStatus::Queued);
  }

  void one_run_builds_its_model_once_however_many_ask() {
    auto config = runnable();
    config.quant.centroids = 211;  // a config no other test has checked
    const auto before = model_checks_performed();
    check_before_training(config);  // the setup panel
    RunStore store(dir_.filePath("once.sqlite").toStdString());
    enqueue_run(store, config);     // queueing
    check_before_training(config);  // the trainer (run_training) or `qnoise train`
    QCOMPARE(model_checks_performed() - before, int64_t{1});
    config.quant.block_size.linear = 4;  // another config: its own check
    check_before_training(config);
    QCOMPARE(model_checks_performed() - before, int64_t{2});
    // The cheap checks still run every time: a data folder gone since is refused.
    config.data.dir = dir_.filePath("gone").toStdString();
    QVERIFY(throws_input_error([&] { check_before_training(config); }, {"does not exist"}));
  }
};

QTEST_GUILESS_MAIN(TestRunCheck)
#include "test_run_check.moc"
