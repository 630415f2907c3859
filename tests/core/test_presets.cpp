// The shipped presets, on the real data installer/setup.sh installs: each parses, and a
// tiny run of each (its model, its optimizer, a few steps) lowers its training loss.
#include <torch/types.h>

#include <QtTest>

#include "config/run_config.h"
#include "test_support.h"
#include "train/training_run.h"

using namespace qn;
using qn::test::LossRecorder;

namespace {

double mean_of(const std::vector<double>& values, size_t from, size_t count) {
  double sum = 0;
  for (size_t i = from; i < from + count; ++i) sum += values.at(i);
  return sum / static_cast<double>(count);
}

}  // namespace

class TestPresets : public QObject {
  Q_OBJECT

 private:
  // Runs `preset` for `steps` steps with `overrides`, and checks the loss fell by `factor`.
  static void tiny_run_lowers_its_loss(const char* preset, int64_t steps,
                                       const std::vector<std::string>& overrides, double factor) {
    auto json = read_config_file(std::string(QNS_SOURCE_DIR "/resources/presets/") + preset);
    apply_override(json, "train.max_steps=" + std::to_string(steps));
    apply_override(json, "device=cpu");
    for (const auto& assignment : overrides) apply_override(json, assignment);
    LossRecorder recorder;
    const auto result = run_training(parse_run_config(json), &recorder, nullptr);
    QCOMPARE(recorder.losses.size(), size_t(steps));
    const double first = mean_of(recorder.losses, 0, 3);
    const double last = mean_of(recorder.losses, steps - 3, 3);
    QVERIFY2(last < factor * first, qPrintable(QString("%1: %2 -> %3").arg(preset).arg(first).arg(last)));
    QCOMPARE(result.steps, steps);
    QVERIFY(result.size.total_bytes() > 0);
  }

 private Q_SLOTS:
  void the_convnet_preset_learns() {
    tiny_run_lowers_its_loss("fmnist-convnet.json", 40, {"data.train_limit=2048", "data.eval_limit=1000"}, 0.6);
  }

  void the_language_model_preset_learns() {
    // The warmup is cut so that a few steps see a real learning rate.
    tiny_run_lowers_its_loss("brown-transformer-lm.json", 30,
                             {"data.train_limit=2048", "data.eval_limit=256", "train.warmup_steps=5"}, 0.85);
  }
};

QTEST_GUILESS_MAIN(TestPresets)
#include "test_presets.moc"
