// The training engine: schedule, layers and their noise, compression, the trainer.
#include <torch/types.h>

#include <QtTest>
#include <cmath>

#include "nn/convnet.h"
#include "quant/affine_quantizer.h"
#include "quant/range_observer.h"
#include "test_support.h"
#include "tiny_training.h"
#include "train/evaluation.h"
#include "train/ipq.h"
#include "train/lr_schedule.h"
#include "train/model_compression.h"
#include "train/noise_attachment.h"
#include "train/trainer.h"

using namespace qn;
using qn::test::LossRecorder;
using qn::test::seeded_randn;
using qn::test::quadrant_images;
using qn::test::small_convnet;

namespace {

TrainConfig quick_training(int64_t steps) {
  TrainConfig config;
  config.max_steps = steps;
  config.batch_size = 32;
  config.lr = 0.01;
  return config;
}

}  // namespace

class TestTraining : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init() { torch::manual_seed(0); }

  void schedule_warms_up_then_decays() {
    QCOMPARE(scheduled_learning_rate(1.0, "cosine", 10, 0, 110), 0.1);
    QCOMPARE(scheduled_learning_rate(1.0, "cosine", 10, 9, 110), 1.0);
    QCOMPARE(scheduled_learning_rate(1.0, "cosine", 10, 10, 110), 1.0);
    QVERIFY(qAbs(scheduled_learning_rate(1.0, "cosine", 10, 60, 110) - 0.5) < 1e-12);
    QVERIFY(scheduled_learning_rate(1.0, "cosine", 10, 110, 110) < 1e-12);
    QCOMPARE(scheduled_learning_rate(2.0, "linear", 0, 25, 100), 1.5);
    QCOMPARE(scheduled_learning_rate(2.0, "constant", 0, 99, 100), 2.0);
  }

  void the_convnet_has_its_layers_in_order_and_its_size() {
    ConvNet model{ConvNetOptions{}};
    std::vector<std::string> names;
    for (const auto& layer : quantizable_layers(*model)) names.push_back(layer.name);
    const std::vector<std::string> expected = {"stem",
                                               "blocks.0.depthwise",
                                               "blocks.0.project",
                                               "blocks.1.expand",
                                               "blocks.1.depthwise",
                                               "blocks.1.project",
                                               "blocks.2.expand",
                                               "blocks.2.depthwise",
                                               "blocks.2.project",
                                               "hidden",
                                               "classifier"};
    QCOMPARE(names, expected);
    int64_t parameters = 0;
    for (const auto& p : model->parameters()) parameters += p.numel();
    QCOMPARE(parameters, int64_t{1023322});  // counted by hand in convnet.h's layout
    QCOMPARE(model->forward(torch::zeros({2, 1, 28, 28})).sizes().vec(),
             (std::vector<int64_t>{2, 10}));
  }

  void noise_applies_in_training_mode_only() {
    QLinear layer(16, 8);
    const auto params = observe_range(layer->weight().detach(), 2, RangeObserver::MinMax);
    IntNoiseOptions options;
    options.bits = 2;
    options.rate = 1.0;
    layer->set_noise(make_int_noise(options));
    const auto x = seeded_randn({4, 16}, 1);
    layer->train();
    QVERIFY(torch::allclose(layer->forward(x),
                            torch::linear(x, fake_quantize(layer->weight().detach(), params),
                                          layer->named_parameters()["bias"])));
    layer->eval();
    QVERIFY(torch::equal(layer->forward(x),
                         torch::linear(x, layer->weight(), layer->named_parameters()["bias"])));
  }

  void a_block_size_that_does_not_divide_fails_before_training() {
    ConvNet model{ConvNetOptions{}};
    QuantConfig quant;
    quant.method = QuantMethod::PQ;
    quant.block_size.conv = 4;  // 3x3 kernels: 9 values a row of the depthwise and stem
    NoiseSpec noise{NoiseMode::QuantNoise, 0.1, NoiseForm::Proxy};
    QVERIFY(qn::test::throws_input_error(
        [&] { attach_noise(*model, quant, noise, 0); },
        {"layer 'stem'", "block size 4 does not divide", "1*3*3 = 9"}));
  }

  void compression_writes_the_quantized_weights_and_counts_every_byte() {
    ConvNet model{ConvNetOptions{}};
    int64_t float_values = 0;
    for (const auto& p : model->parameters()) float_values += p.numel();
    for (const auto& b : model->named_buffers()) {
      if (b.key().find("num_batches_tracked") == std::string::npos)
        float_values += b.value().numel();
    }
    const auto hidden_before = model->named_parameters()["hidden.weight"].detach().clone();
    QuantConfig quant;
    quant.method = QuantMethod::Int;
    quant.bits = 4;
    quant.observer = "channel";
    auto compressed = compress_weights(*model, quant, 0);
    add_plain_tensors(*model, quant, compressed);
    const auto report = compressed.size();
    QCOMPARE(report.fp32_bytes(), 4 * float_values);
    const auto expected_hidden =
        fake_quantize(hidden_before, observe_range(hidden_before, 4, RangeObserver::Channel));
    QVERIFY(torch::equal(model->named_parameters()["hidden.weight"], expected_hidden));
    // hidden: 1960*512 weights at 4 bits + 512 channels x 5 bytes.
    for (const auto& entry : report.entries()) {
      if (entry.name == "hidden.weight")
        QCOMPARE(entry.bytes.total(), int64_t{1960 * 512 / 2 + 512 * 5});
      if (entry.name == "hidden.bias") QCOMPARE(entry.bytes.plain, int64_t{512 * 4});
    }
    QVERIFY(report.compression() > 7.0 && report.compression() < 8.0);
  }

  void a_layer_set_by_quant_layers_is_compressed_its_own_way() {
    ConvNet model{ConvNetOptions{}};
    const auto stem_before = model->named_parameters()["stem.weight"].detach().clone();
    QuantConfig quant;
    quant.method = QuantMethod::PQ;
    quant.centroids = 16;
    quant.layers = {{"^stem$", QuantMethod::Int, 8, {}, {}, {}},
                    {"^classifier$", QuantMethod::None, {}, {}, {}, {}}};
    auto compressed = compress_weights(*model, quant, 0);
    add_plain_tensors(*model, quant, compressed);
    const auto expected_stem =
        fake_quantize(stem_before, observe_range(stem_before, 8, RangeObserver::MinMax));
    QVERIFY(torch::equal(model->named_parameters()["stem.weight"], expected_stem));
    for (const auto& entry : compressed.size().entries()) {
      if (entry.name == "classifier.weight") {  // method none: stored as it is, at fp32
        QCOMPARE(entry.bytes.total(), int64_t{512 * 10 * 4});
      }
      if (entry.name == "hidden.weight") QVERIFY(entry.bytes.total() < 1960 * 512 / 4);  // PQ
    }
  }

  void centroids_are_clamped_to_four_blocks_each() {
    QCOMPARE(centroids_for_layer(256, 100000), int64_t{256});
    QCOMPARE(centroids_for_layer(256, 640), int64_t{160});
    QCOMPARE(centroids_for_layer(256, 16), int64_t{4});
    QCOMPARE(centroids_for_layer(256, 3), int64_t{1});
  }

  void a_centroid_gradient_is_the_sum_of_its_blocks_gradients() {
    QLinear layer(16, 8);
    const BlockLayout layout({"fc", LayerKind::Linear}, {8, 16}, 4);  // 32 blocks
    auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
    const auto codes = torch::randint(0, 5, {32}, generator, torch::kLong);
    layer->use_codebook(layout, seeded_randn({5, 4}, 8), codes);
    QVERIFY(!layer->weight().requires_grad());
    const auto x = seeded_randn({6, 16}, 9);
    const auto upstream = seeded_randn({6, 8}, 10);
    (layer->forward(x) * upstream).sum().backward();

    // Reference: the gradient with respect to the decoded weight, gathered block by block.
    const auto decoded =
        layout.from_blocks(layer->centroids().detach().index_select(0, codes)).requires_grad_(true);
    (torch::linear(x, decoded, layer->named_parameters()["bias"].detach()) * upstream)
        .sum()
        .backward();
    const auto block_gradients = layout.to_blocks(decoded.grad());
    const auto expected = torch::zeros({5, 4}).index_add_(0, codes, block_gradients);
    QVERIFY(torch::allclose(layer->centroids().grad(), expected, 1e-5, 1e-6));
  }

  void averaged_centroid_gradients_divide_by_cluster_size() {
    const BlockLayout layout({"fc", LayerKind::Linear}, {8, 16}, 4);
    const auto codes = torch::arange(32, torch::kLong).remainder(3);  // sizes 11, 11, 10
    const auto x = seeded_randn({6, 16}, 9);
    auto centroid_grad = [&](bool average) {
      torch::manual_seed(1);
      QLinear layer(16, 8);
      layer->use_codebook(layout, seeded_randn({3, 4}, 8), codes, average);
      layer->forward(x).square().sum().backward();
      return layer->centroids().grad();
    };
    const auto sizes = torch::tensor({11.0f, 11.0f, 10.0f}).unsqueeze(1);
    QVERIFY(torch::allclose(centroid_grad(true), centroid_grad(false) / sizes, 1e-5, 1e-6));
  }

  void ipq_stages_run_bottom_to_top_by_parent_module() {
    ConvNet model{ConvNetOptions{}};
    std::vector<std::vector<std::string>> stages;
    for (const auto& stage : ipq_stages(*model)) {
      stages.emplace_back();
      for (const auto& layer : stage) stages.back().push_back(layer.name);
    }
    QCOMPARE(stages.size(), size_t{5});
    QCOMPARE(stages[0], (std::vector<std::string>{"stem"}));
    QCOMPARE(stages[1], (std::vector<std::string>{"blocks.0.depthwise", "blocks.0.project"}));
    QCOMPARE(stages[4], (std::vector<std::string>{"hidden", "classifier"}));
  }

  void ipq_encodes_exactly_one_more_stage_at_a_time() {
    torch::manual_seed(0);
    auto model = small_convnet();
    const auto data = quadrant_images(256, 11);
    const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
    RunConfig config;
    config.quant.method = QuantMethod::IPQ;
    config.quant.block_size = BlockSizes::uniform(2);
    config.quant.block_size.conv = 9;
    config.quant.finetune_steps = 3;
    config.train.batch_size = 32;
    const auto stages = ipq_stages(*model);
    struct StageChecker : TrainingObserver {
      const std::vector<std::vector<NamedLayer>>* stages;
      size_t seen = 0;
      bool consistent = true;
      void on_stage(const std::string&) override {
        for (size_t s = 0; s < stages->size(); ++s) {
          for (const auto& layer : (*stages)[s])
            consistent &= layer.layer->uses_codebook() == (s <= seen);
        }
        ++seen;
      }
    } checker;
    checker.stages = &stages;
    run_ipq(*model, forward, data, config, {}, &checker, nullptr);
    QCOMPARE(checker.seen, stages.size());
    QVERIFY(checker.consistent);

    // The compressed model keeps the fine-tuned codebooks, rounded to fp16, and their codes.
    const auto& hidden = *stages.back().front().layer;
    const auto expected =
        hidden.codebook_layout().from_blocks(hidden.centroids()
                                                 .detach()
                                                 .to(torch::kHalf)
                                                 .to(torch::kFloat)
                                                 .index_select(0, hidden.codes()));
    auto compressed = compress_weights(*model, config.quant, 0);
    add_plain_tensors(*model, config.quant, compressed);
    const auto report = compressed.size();
    QVERIFY(torch::equal(model->named_parameters()["hidden.weight"], expected));
    for (const auto& entry : report.entries()) {
      if (entry.name == "hidden.weight") QCOMPARE(entry.method, std::string("pq"));
      // Codebooks are counted once, inside their layer's PQ entry.
      QVERIFY2(entry.name.find("centroids") == std::string::npos, entry.name.c_str());
    }
  }

  void a_tiny_run_lowers_its_loss_for_every_noise() {
    const auto data = quadrant_images(512, 2);
    for (const auto method : {QuantMethod::None, QuantMethod::Int, QuantMethod::PQ}) {
      torch::manual_seed(0);
      auto model = small_convnet();
      QuantConfig quant;
      quant.method = method;
      quant.bits = 4;
      quant.block_size = BlockSizes::uniform(2);  // the small net has 6-channel 1x1 convs
      quant.block_size.conv = 9;
      if (quant.method != QuantMethod::None)
        attach_noise(*model, quant, {NoiseMode::QuantNoise, 0.2, NoiseForm::Proxy}, 0);
      LossRecorder recorder;
      const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
      train_model(*model, forward, data, quick_training(60), &recorder, nullptr);
      const double first = (recorder.losses[0] + recorder.losses[1] + recorder.losses[2]) / 3;
      const double last = (recorder.losses[57] + recorder.losses[58] + recorder.losses[59]) / 3;
      QVERIFY2(last < 0.5 * first,
               qPrintable(QString("%1: %2 -> %3").arg(QString::fromStdString(to_string(method))).arg(first).arg(last)));
      QVERIFY(evaluate(*model, forward, data).accuracy > 0.9);
    }
  }

  void training_is_deterministic_given_the_seed() {
    const auto data = quadrant_images(128, 3);
    auto train_once = [&] {
      torch::manual_seed(5);
      auto model = small_convnet();
      const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
      train_model(*model, forward, data, quick_training(5), nullptr, nullptr);
      return model->named_parameters()["hidden.weight"].detach().clone();
    };
    QVERIFY(torch::equal(train_once(), train_once()));
  }

  void a_nan_loss_stops_the_run_naming_the_step() {
    auto data = quadrant_images(64, 4);
    data.inputs[5][0][0][0] = NAN;
    auto model = small_convnet();
    const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
    auto config = quick_training(4);
    config.batch_size = 64;
    try {
      train_model(*model, forward, data, config, nullptr, nullptr);
      QFAIL("a NaN loss did not stop the run");
    } catch (const RuntimeFailure& error) {
      QVERIFY2(std::string(error.what()).find("at step 0") != std::string::npos, error.what());
    }
  }

  void cancellation_stops_at_the_next_step() {
    const auto data = quadrant_images(64, 5);
    auto model = small_convnet();
    const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
    CancelToken token;
    struct CancelAfterTwo : TrainingObserver {
      CancelToken* token;
      int64_t last = 0;
      void on_step(const StepEvent& event) override {
        last = event.step;
        if (event.step == 2) token->cancel();
      }
    } observer;
    observer.token = &token;
    QVERIFY_THROWS_EXCEPTION(
        RunCancelled, train_model(*model, forward, data, quick_training(50), &observer, &token));
    QCOMPARE(observer.last, int64_t{2});
  }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
