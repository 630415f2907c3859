// The Sweep dialog: its axes start from the setup panel's config, it counts the runs they
// make, explains axes that cannot run, and hands over one spec per quantizer and mode.
#include <QCheckBox>
#include <QLineEdit>
#include <QListWidget>
#include <QtTest>

#include "config/run_config.h"
#include "sweep/sweep_spec.h"
#include "sweep_dialog.h"

using namespace qn;
using namespace qn::ui;
using nlohmann::json;

namespace {

// The hidden layer takes 20*7*7 = 980 inputs.
RunConfig tiny_int4() {
  return parse_run_config({{"model", {{"width", 8}, {"hidden", 32}}},
                           {"train", {{"max_steps", 5}, {"seed", 7}}},
                           {"quant", {{"method", "int"}, {"bits", 4}}}});
}

}  // namespace

class TestSweepDialog : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void the_axes_start_from_the_config() {
    SweepDialog dialog(tiny_int4());
    QCOMPARE(dialog.quantizers()->count(), 5);  // int8, int4, PQ, iPQ, iPQ + int8
    for (int row = 0; row < dialog.quantizers()->count(); ++row) {
      const auto* item = dialog.quantizers()->item(row);
      QCOMPARE(item->checkState() == Qt::Checked, item->text() == "int4");
    }
    QCOMPARE(dialog.seeds()->text(), QString("7"));
    QCOMPARE(dialog.linear_blocks()->text(), QString("8"));
  }

  void it_counts_the_runs_and_explains_bad_axes() {
    SweepDialog dialog(tiny_int4());
    // int4; none + STE + Quant-Noise x 3 rates; one seed: 5 runs.
    QCOMPARE(dialog.run_count(), 5);
    QCOMPARE(dialog.specs().size(), size_t{3});
    dialog.seeds()->setText("0, 1");
    QCOMPARE(dialog.run_count(), 10);
    dialog.noise_mode(0)->setChecked(false);
    QCOMPARE(dialog.run_count(), 8);
    dialog.quantizers()->item(2)->setCheckState(Qt::Checked);  // PQ
    QCOMPARE(dialog.run_count(), 16);  // the default linear block 8 falls back to 7 on 980
    dialog.linear_blocks()->setText("6");  // asked for: refused, not replaced
    QCOMPARE(dialog.run_count(), 0);
    QVERIFY2(dialog.summary().contains("does not divide"), qPrintable(dialog.summary()));
    dialog.linear_blocks()->setText("4");
    QCOMPARE(dialog.run_count(), 16);
    dialog.rates()->setText("0.1, x");
    QCOMPARE(dialog.run_count(), 0);
    QVERIFY(dialog.specs().empty());
    QVERIFY2(dialog.summary().contains("'x' is not a number"), qPrintable(dialog.summary()));
    dialog.rates()->setText("0.1");
    dialog.seeds()->setText("1.5");
    QVERIFY2(dialog.summary().contains("not an integer"), qPrintable(dialog.summary()));
  }

  void each_spec_varies_only_what_its_quantizer_and_mode_use() {
    SweepDialog dialog(tiny_int4());
    dialog.linear_blocks()->setText("4, 2");
    dialog.quantizers()->item(1)->setCheckState(Qt::Unchecked);  // int4 off
    dialog.quantizers()->item(3)->setCheckState(Qt::Checked);    // iPQ on
    QCOMPARE(dialog.specs().size(), size_t{3});
    size_t runs = 0;
    for (const auto& spec : dialog.specs()) {
      const auto parsed = parse_sweep_spec(spec);
      const auto base = parse_run_config(parsed.base);
      QVERIFY(base.quant.method == QuantMethod::IPQ);
      std::vector<std::string> keys;
      for (const auto& [key, values] : parsed.grid) keys.push_back(key);
      const bool quant_noise = base.noise.mode == NoiseMode::QuantNoise;
      QCOMPARE(keys.size(), size_t{quant_noise ? 2u : 1u});  // blocks, and p under Quant-Noise
      if (base.noise.mode == NoiseMode::Ste) QVERIFY(base.noise.form == NoiseForm::Exact);
      runs += expand_sweep(parsed).size();
    }
    QCOMPARE(runs, size_t{2 * (1 + 1 + 3)});
    QCOMPARE(static_cast<size_t>(dialog.run_count()), runs);
  }
};

QTEST_MAIN(TestSweepDialog)
#include "test_sweep_dialog.moc"
