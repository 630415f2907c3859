// Mixed precision (train/mixed_precision.h): bf16 autocast on the CPU, a bf16 run learning
// as an fp32 one does, fp16 refused where it cannot run, and the loss scaler's arithmetic:
// unscaled gradients equal to the plain ones, an overflowing step skipped, the scale backed
// off and grown as PyTorch's GradScaler moves it.
#include <torch/optim/sgd.h>
#include <torch/types.h>

#include <QtTest>
#include <cmath>

#include "config/run_config.h"
#include "test_support.h"
#include "tiny_training.h"
#include "train/evaluation.h"
#include "train/mixed_precision.h"
#include "train/trainer.h"

using namespace qn;
using qn::test::LossRecorder;
using qn::test::quadrant_images;
using qn::test::small_convnet;
using qn::test::throws_input_error;

class TestMixedPrecision : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init() { torch::manual_seed(0); }

  void bf16_autocast_computes_products_in_bfloat16_and_restores_the_state() {
    const auto a = torch::randn({4, 4});
    {
      const AutocastScope outer("bf16", torch::kCPU);
      QCOMPARE(torch::mm(a, a).scalar_type(), torch::kBFloat16);
      { const AutocastScope plain("fp32", torch::kCPU); }  // does nothing
      QCOMPARE(torch::mm(a, a).scalar_type(), torch::kBFloat16);
    }
    QCOMPARE(torch::mm(a, a).scalar_type(), torch::kFloat);
  }

  // The quadrant task, trained in bf16 and in fp32 from the same start: both learn it.
  void a_bf16_run_learns_as_an_fp32_one_does() {
    const auto data = quadrant_images(512, 2);
    std::vector<std::vector<double>> curves;
    for (const char* precision : {"fp32", "bf16"}) {
      torch::manual_seed(0);
      auto model = small_convnet();
      const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
      TrainConfig config;
      config.max_steps = 60;
      config.batch_size = 32;
      config.lr = 0.01;
      config.precision = precision;
      LossRecorder recorder;
      train_model(*model, forward, data, config, &recorder, nullptr);
      const double first = (recorder.losses[0] + recorder.losses[1] + recorder.losses[2]) / 3;
      const double last = (recorder.losses[57] + recorder.losses[58] + recorder.losses[59]) / 3;
      const double accuracy = evaluate(*model, forward, data).accuracy;
      qInfo("%s: loss %.4f -> %.4f, accuracy %.4f", precision, first, last, accuracy);
      QVERIFY(last < 0.5 * first);
      QVERIFY(accuracy > 0.9);
      QCOMPARE(model->parameters().front().scalar_type(), torch::kFloat);  // the weights stay fp32
      curves.push_back(recorder.losses);
    }
    QVERIFY(curves[0] != curves[1]);  // the bf16 forward rounds: its curve is its own
  }

  void fp16_on_the_cpu_and_unknown_precisions_are_refused() {
    auto model = small_convnet();
    const Forward forward = [&](const torch::Tensor& x) { return model->forward(x); };
    TrainConfig config;
    config.max_steps = 1;
    config.precision = "fp16";
    QVERIFY(throws_input_error([&] { train_model(*model, forward, quadrant_images(8, 1), config, nullptr, nullptr); },
                               {"train.precision fp16 needs a CUDA device", "bf16"}));
    RunConfig run;
    run.train.precision = "fp8";
    QVERIFY(throws_input_error([&] { validate(run); }, {"train.precision", "fp8", "fp32, fp16, bf16"}));
  }

  // A scale that is a power of two divides back exactly.
  void unscaled_gradients_equal_the_plain_ones() {
    const auto weight = torch::randn({3, 5}, torch::requires_grad());
    const auto input = torch::randn({7, 5});
    (torch::mm(input, weight.t()).pow(2).sum()).backward();
    const auto plain = weight.grad().clone();
    weight.mutable_grad().zero_();
    LossScaler scaler(true);
    scaler.scale(torch::mm(input, weight.t()).pow(2).sum()).backward();
    QVERIFY(!torch::equal(weight.grad(), plain));  // scaled by 2^16
    QVERIFY(scaler.unscale({weight}));
    QVERIFY(torch::equal(weight.grad(), plain));
  }

  // An inf gradient: no step, the scale halved; `growth_interval` clean steps double it.
  void an_overflowing_step_is_skipped_and_the_scale_moves_as_gradscalers() {
    auto weight = torch::ones({4}, torch::requires_grad());
    torch::optim::SGD optimizer({weight}, torch::optim::SGDOptions(0.1));
    LossScaler scaler(true, {1024.0, 2.0, 0.5, 3});
    const auto step = [&](double factor) {
      optimizer.zero_grad();
      scaler.scale((weight * factor).sum()).backward();
      if (scaler.unscale({weight})) optimizer.step();
      scaler.update();
    };
    step(1.0);
    QVERIFY(torch::allclose(weight, torch::full({4}, 0.9)));
    const auto before = weight.detach().clone();
    step(INFINITY);
    QVERIFY(torch::equal(weight, before));  // skipped
    QCOMPARE(scaler.skipped_steps(), int64_t{1});
    QCOMPARE(scaler.current_scale(), 512.0);
    step(1.0);
    step(1.0);
    QCOMPARE(scaler.current_scale(), 512.0);
    step(1.0);  // the third clean step since the overflow
    QCOMPARE(scaler.current_scale(), 1024.0);
    QVERIFY(torch::allclose(weight, torch::full({4}, 0.6)));
  }

  void a_disabled_scaler_passes_everything_through() {
    LossScaler scaler(false);
    const auto loss = torch::tensor(3.0);
    QVERIFY(scaler.scale(loss).is_same(loss));
    QVERIFY(scaler.unscale({}));
    QCOMPARE(scaler.current_scale(), 1.0);
  }
};

QTEST_GUILESS_MAIN(TestMixedPrecision)
#include "test_mixed_precision.moc"
