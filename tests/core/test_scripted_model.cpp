// A user's TorchScript model (nn/scripted_model.h): saved by Debian's python3-torch at test
// time (tests/python/make_scripted_models.py), loaded, trained with noise that never
// touches its parameters, compressed with iPQ, exported back and reloaded by Python.
#include <torch/optim/sgd.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nn/scripted_model.h"
#include "test_support.h"
#include "train/compressed_model_loader.h"
#include "train/evaluation.h"
#include "train/ipq.h"
#include "train/model_compression.h"
#include "train/noise_attachment.h"
#include "train/run_check.h"
#include "train/task_model.h"
#include "train/torchscript_export.h"
#include "train/training_run.h"

using namespace qn;
using qn::test::max_abs_difference;
using qn::test::seeded_randn;
using qn::test::throws_input_error;

namespace {

// Runs python3 with `arguments`; its standard output, or a failed test naming what it said.
QByteArray run_python(const QStringList& arguments) {
  QProcess python;
  python.start(qn::test::python_with_torch(), arguments);
  if (!python.waitForFinished(300000) || python.exitCode() != 0) {
    qWarning("python3 %s failed: %s", qPrintable(arguments.join(' ')),
             python.readAllStandardError().constData());
    return {};
  }
  return python.readAllStandardOutput();
}

// The TorchScript submodule at a dotted path ("features.0").
torch::jit::Module submodule(torch::jit::Module module, const std::string& path) {
  std::stringstream parts(path);
  for (std::string part; std::getline(parts, part, '.');) module = module.attr(part).toModule();
  return module;
}

Examples random_images(int64_t count, uint64_t seed) {
  return {seeded_randn({count, 1, 28, 28}, seed), torch::arange(count, torch::kLong) % 10};
}

// int4 Quant-Noise at `rate` on every quantizable layer of `model`.
void attach_int4_noise(torch::nn::Module& model, double rate) {
  QuantConfig quant;
  quant.method = QuantMethod::Int;
  quant.bits = 4;
  NoiseSpec noise;
  noise.mode = NoiseMode::QuantNoise;
  noise.p = rate;
  attach_noise(model, quant, noise, 0);
}

ScriptedModel load(const std::string& path) { return load_scripted_model(path); }

}  // namespace

class TestScriptedModel : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;

  std::string model_file(const char* name) const { return dir_.filePath(name).toStdString(); }

  RunConfig fashion_mnist_run(const char* model) const {
    RunConfig config;
    config.task = "fashion-mnist";
    config.device = "cpu";
    config.data.train_limit = 256;
    config.data.eval_limit = 1000;
    config.model.arch = "torchscript";
    config.model.path = model_file(model);
    config.train.max_steps = 4;
    config.train.batch_size = 64;
    return config;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    const auto source = QString(QNS_SOURCE_DIR) + "/tests/python/make_scripted_models.py";
    run_python({source, dir_.path()});
    QVERIFY(QFile::exists(dir_.filePath("small_cnn.pt")));
  }

  // A user's language model on a text task: checked with any vocabulary of its own before
  // the data loads, then against the corpus's (it needs at least that many outputs).
  void a_users_language_model_trains_on_its_own_vocabulary() {
    const auto corpus = dir_.filePath("corpus.txt").toStdString();
    {
      std::ofstream text(corpus);
      for (int line = 0; line < 400; ++line) {
        text << "the quick brown fox " << line % 37 << " jumps over the lazy dog number "
             << line % 11 << " again and again\n";
      }
    }
    RunConfig config;
    config.task = "text-lm";
    config.device = "cpu";
    config.data.path = corpus;
    config.model.arch = "torchscript";
    config.model.path = model_file("tiny_lm.pt");
    config.train.max_steps = 3;
    config.train.batch_size = 4;
    config.quant.method = QuantMethod::Int;
    config.quant.bits = 8;
    check_before_training(config);  // refused before: "the task needs ... [2, 64, 10]"
    const auto result = run_training(config, nullptr, nullptr);
    QCOMPARE(result.metric_name, std::string("perplexity"));
    QVERIFY(std::isfinite(result.metric) && result.metric > 1);

    config.model.path = model_file("tiny_lm_five_words.pt");
    check_before_training(config);  // its vocabulary is only known against the corpus
    QVERIFY(qn::test::throws_input_error([&] { run_training(config, nullptr, nullptr); },
                                         {"tiny_lm_five_words.pt", "at least", "vocabulary"}));
  }

  void layers_are_listed_by_their_names_kinds_and_shapes() {
    for (const char* file : {"small_cnn.pt", "small_cnn_traced.pt"}) {
      auto model = load(model_file(file));
      std::vector<std::string> names;
      std::vector<LayerKind> kinds;
      std::vector<std::vector<int64_t>> shapes;
      for (const auto& [name, layer] : quantizable_layers(*model)) {
        names.push_back(name);
        kinds.push_back(layer->layer_kind());
        shapes.push_back(layer->weight().sizes().vec());
      }
      QCOMPARE(names, (std::vector<std::string>{"stem", "features.0", "features.3", "fc"}));
      QVERIFY(kinds == (std::vector<LayerKind>{LayerKind::Conv2d, LayerKind::Conv2d,
                                               LayerKind::Conv2d, LayerKind::Linear}));
      QVERIFY(shapes == (std::vector<std::vector<int64_t>>{
                            {8, 1, 3, 3}, {8, 1, 3, 3}, {16, 8, 1, 1}, {10, 256}}));
      // Every other tensor is there under its own name, shared with the module.
      const auto parameters = model->named_parameters();
      QVERIFY(parameters.contains("stem_norm.weight") && parameters.contains("fc.bias"));
      QVERIFY(model->named_buffers().contains("stem_norm.running_mean"));
      QVERIFY(parameters["fc.weight"].is_same(
          submodule(model->script(), "fc").attr("weight").toTensor()));
    }
  }

  void noise_at_rate_zero_changes_no_output() {
    auto noisy = load(model_file("small_cnn.pt"));
    auto plain = load(model_file("small_cnn.pt"));
    attach_int4_noise(*noisy, 0.0);
    noisy->train();
    plain->train();
    const auto images = seeded_randn({4, 1, 28, 28}, 1);
    QCOMPARE(max_abs_difference(noisy->forward(images), plain->forward(images)), 0.0);
  }

  // After one SGD step with int4 Quant-Noise, every parameter is exactly where a step on the
  // straight-through gradient puts it: the gradient of the loss the noisy weights give, with
  // respect to those weights, applied to the parameters (which the noise never wrote).
  void a_noisy_step_is_a_straight_through_step() {
    auto model = load(model_file("small_cnn.pt"));
    auto reference = load(model_file("small_cnn.pt"));
    attach_int4_noise(*model, 0.5);
    model->train();
    reference->train();
    const auto batch = random_images(8, 2);

    // The noisy weights the step will draw (the mask comes from the global generator).
    std::map<std::string, torch::Tensor> noisy;
    torch::manual_seed(5);
    for (const auto& [name, layer] : quantizable_layers(*model)) {
      auto& scripted = dynamic_cast<ScriptedLayerImpl&>(*layer);
      scripted.prepare_forward(true);
      noisy[name] = submodule(model->script(), name).attr("weight").toTensor().detach().clone();
      scripted.restore();
    }
    for (auto& [name, weight] : noisy) {
      QVERIFY(max_abs_difference(weight, model->named_parameters()[name + ".weight"]) > 0);
      weight.requires_grad_(true);
      submodule(reference->script(), name).setattr("weight", weight);
    }
    const auto reference_loss =
        cross_entropy(reference->script().forward({batch.inputs}).toTensor(), batch.targets);
    reference_loss.backward();

    std::map<std::string, torch::Tensor> before;
    for (const auto& item : model->named_parameters()) before[item.key()] = item.value().detach().clone();
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1));
    torch::manual_seed(5);
    const auto loss = cross_entropy(model->forward(batch.inputs), batch.targets);
    QCOMPARE(loss.item<double>(), reference_loss.item<double>());
    loss.backward();
    optimizer.step();

    const auto reference_parameters = reference->named_parameters();
    for (const auto& item : model->named_parameters()) {
      const auto& name = item.key();
      const auto layer = name.substr(0, name.rfind('.'));
      const bool quantized_weight = noisy.count(layer) && name == layer + ".weight";
      const auto gradient =
          quantized_weight ? noisy[layer].grad() : reference_parameters[name].grad();
      if (max_abs_difference(item.value(), before[name] - 0.1 * gradient) > 1e-6) {
        QFAIL(name.c_str());
      }
      // The module computes with the parameter again, not with a noisy copy.
      if (quantized_weight) {
        QVERIFY(submodule(model->script(), layer).attr("weight").toTensor().is_same(item.value()));
      }
    }
  }

  void ipq_replaces_exactly_the_staged_layers() {
    auto model = load(model_file("small_cnn.pt"));
    RunConfig config;
    config.quant.method = QuantMethod::IPQ;
    config.quant.stages = {R"(^features\.)"};
    config.quant.exclude = {"^stem$"};
    config.quant.finetune_steps = 2;
    config.train.batch_size = 16;
    const auto stages = configured_ipq_stages(*model, config.quant, {});
    QCOMPARE(stages.size(), size_t{2});
    QCOMPARE(stages[0].size(), size_t{2});
    QCOMPARE(stages[1].at(0).name, std::string("fc"));

    const auto data = random_images(32, 3);
    run_ipq(*model, [&](const torch::Tensor& x) { return model->forward(x); }, data, config, {},
            nullptr, nullptr);
    std::map<std::string, bool> uses_codebook;
    for (const auto& [name, layer] : quantizable_layers(*model)) {
      uses_codebook[name] = layer->uses_codebook();
    }
    QVERIFY(!uses_codebook["stem"]);
    QVERIFY(uses_codebook["features.0"] && uses_codebook["features.3"] && uses_codebook["fc"]);

    // The module computes with centroids[codes] in the codebook layers, its weight elsewhere.
    auto decoded = load(model_file("small_cnn.pt"));
    copy_model_state(*model, *decoded);
    {
      torch::NoGradGuard no_grad;
      const auto decoded_layers = quantizable_layers(*decoded);
      for (size_t i = 0; i < decoded_layers.size(); ++i) {
        auto* layer = quantizable_layers(*model)[i].layer;
        if (!layer->uses_codebook()) continue;
        decoded_layers[i].layer->weight().copy_(layer->codebook_layout().from_blocks(
            layer->centroids().index_select(0, layer->codes())));
      }
    }
    model->eval();
    decoded->eval();
    const auto images = seeded_randn({4, 1, 28, 28}, 4);
    QVERIFY(max_abs_difference(model->forward(images), decoded->forward(images)) < 1e-6);
  }

  void batchnorm_statistics_are_re_estimated_as_the_average_of_the_batches() {
    auto model = load(model_file("small_cnn.pt"));
    const auto data = random_images(64, 5);
    recalibrate_batchnorm(*model, [&](const torch::Tensor& x) { return model->forward(x); }, data,
                          16, 4, 0);
    // The stem's BatchNorm sees the stem convolution's output: per channel, the average of
    // the four batches' means and unbiased variances (the rows are shuffled, the batches
    // cover all 64 images once).
    const auto weight = model->named_parameters()["stem.weight"].detach();
    const auto outputs = torch::conv2d(data.inputs, weight, {}, 1, 1);
    const auto mean = outputs.mean({0, 2, 3});
    const auto stored = model->named_buffers()["stem_norm.running_mean"];
    QVERIFY(max_abs_difference(stored, mean) < 1e-5);  // means of equal batches average exactly
    QVERIFY(!model->is_training());
  }

  // The whole pipeline on a user's model, then back to PyTorch: the exported module, loaded
  // by python3-torch, gives the logits the compressed model gives in C++ (qnoise eval's).
  void the_torchscript_export_reloads_in_python_with_the_same_logits() {
    auto config = fashion_mnist_run("small_cnn.pt");
    config.quant.method = QuantMethod::IPQ;
    config.quant.finetune_steps = 2;
    pin_model_file(config);
    const auto result = run_training(config, nullptr, nullptr);
    QVERIFY(result.steps > 0);

    const auto exported = dir_.filePath("exported.pt").toStdString();
    std::ofstream(exported, std::ios::binary) << float_torchscript_bytes(config, result.compressed);
    const auto model = load_compressed_model(config, TaskData{}, result.compressed, torch::kCPU);
    const auto images = torch::sin(torch::arange(2 * 28 * 28, torch::kFloat)).reshape({2, 1, 28, 28});
    torch::Tensor logits;
    {
      torch::NoGradGuard no_grad;
      logits = model.forward(images);
    }
    const auto output = run_python(
        {"-c",
         "import json, sys, torch\n"
         "m = torch.jit.load(sys.argv[1])\n"
         "x = torch.sin(torch.arange(2 * 28 * 28, dtype=torch.float32)).reshape(2, 1, 28, 28)\n"
         "print(json.dumps({'training': m.training, 'logits': m(x).tolist()}))\n",
         QString::fromStdString(exported)});
    const auto python = nlohmann::json::parse(output.toStdString());
    QCOMPARE(python["training"].get<bool>(), false);
    std::vector<float> python_logits;
    for (const auto& row : python["logits"]) {
      for (const auto& value : row) python_logits.push_back(value.get<float>());
    }
    QVERIFY(max_abs_difference(torch::tensor(python_logits).reshape(logits.sizes()), logits) < 1e-5);
  }

  void compress_only_takes_no_step() {
    auto config = fashion_mnist_run("small_cnn.pt");
    config.train.epochs = 0;
    config.train.max_steps = 0;
    config.quant.method = QuantMethod::Int;
    const auto result = run_training(config, nullptr, nullptr);
    QCOMPARE(result.steps, int64_t{0});
    // The pretrained bias is stored as it was (fp32): nothing trained it.
    const auto original = load(model_file("small_cnn.pt"));
    for (const auto& [name, tensor] : result.compressed.tensors()) {
      if (name != "fc.bias") continue;
      QCOMPARE(max_abs_difference(tensor->decode(), original->named_parameters()[name]), 0.0);
      return;
    }
    QFAIL("the checkpoint has no fc.bias");
  }

  void bad_models_are_refused_before_training_naming_the_file() {
    const auto refused = [&](const char* file, std::initializer_list<std::string> parts) {
      return throws_input_error([&] { check_before_training(fashion_mnist_run(file)); }, parts);
    };
    QVERIFY(refused("not_torchscript.pt", {"not_torchscript.pt", "not a TorchScript module"}));
    QVERIFY(refused("truncated.pt", {"truncated.pt", "not a TorchScript module"}));
    QVERIFY(refused("absent.pt", {"absent.pt", "does not exist"}));
    QVERIFY(refused("no_layers.pt", {"no_layers.pt", "no Linear, Conv2d or Embedding layer"}));
    QVERIFY(refused("three_channels.pt",
                    {"three_channels.pt", "cannot take the task's input", "[2, 1, 28, 28]"}));
    QVERIFY(refused("four_classes.pt", {"four_classes.pt", "returns [2, 4]", "[2, 10]"}));
  }

  // image-folder's classes are its folder names, counted before any image is read, so its
  // model is checked against them (model.input: a folder of gray images).
  void an_image_folder_model_is_checked_against_the_class_folders() {
    auto config = fashion_mnist_run("four_classes.pt");
    config.task = "image-folder";
    config.data.dir = dir_.filePath("four-classes").toStdString();
    config.model.input = {1, 28, 28};
    for (const char* name : {"a", "b", "c", "d"}) {
      std::filesystem::create_directories(config.data.dir + "/" + name);
    }
    check_before_training(config);
    std::filesystem::remove(config.data.dir + "/d");
    QVERIFY(throws_input_error([&] { check_before_training(config); },
                               {"four_classes.pt", "returns [2, 4]", "[2, 3]"}));
  }

  void a_changed_model_file_is_refused_naming_both_hashes() {
    const auto path = model_file("changing.pt");
    QFile::copy(dir_.filePath("small_cnn.pt"), QString::fromStdString(path));
    auto config = fashion_mnist_run("changing.pt");
    pin_model_file(config);
    QCOMPARE(config.model.sha256.size(), size_t{64});
    QFile::remove(QString::fromStdString(path));
    QFile::copy(dir_.filePath("four_classes.pt"), QString::fromStdString(path));
    QVERIFY(throws_input_error([&] { check_before_training(config); },
                               {"changing.pt", "is not the one this run was made with",
                                config.model.sha256}));
  }
};

QTEST_GUILESS_MAIN(TestScriptedModel)
#include "test_scripted_model.moc"
