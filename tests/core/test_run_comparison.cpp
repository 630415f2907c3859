// Runs compared against a baseline: the baseline chosen, differences in the right units,
// iPQ stages, and the exports (TSV, CSV, LaTeX).
#include <QtTest>

#include "sweep/run_comparison.h"

using namespace qn;
using nlohmann::json;

namespace {

StoredRun done_run(int64_t id, const std::string& method, double accuracy, int64_t bytes,
                   const std::string& noise = "none") {
  StoredRun run;
  run.id = id;
  run.status = RunStatus::Done;
  run.config = parse_run_config({{"task", "fashion-mnist"},
                                 {"quant", {{"method", method}}},
                                 {"noise", {{"mode", noise}, {"form", "exact"}}},
                                 {"train", {{"seed", 0}}}});
  run.result = StoredResult{"accuracy", accuracy, 0.8650, bytes, 4000000, 4000000.0 / bytes, 90};
  return run;
}

}  // namespace

class TestRunComparison : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void the_baseline_is_the_fp32_run_of_the_same_config() {
    const std::vector<StoredRun> all = {done_run(1, "none", 0.8649, 4000000),
                                        done_run(2, "pq", 0.8399, 150000),
                                        done_run(3, "pq", 0.8485, 150000, "quant-noise")};
    // Not selected, still found in the store.
    QCOMPARE(default_baseline({&all[1], &all[2]}, all), std::optional<int64_t>(1));
    // Another config (another seed): no fp32 run of it, so the first selected.
    auto other_seed = done_run(4, "pq", 0.84, 150000);
    other_seed.config->train.seed = 1;
    QCOMPARE(default_baseline({&other_seed, &all[2]}, all), std::optional<int64_t>(4));
    QVERIFY(!default_baseline({}, all));
  }

  void differences_are_in_points_bytes_and_ratios() {
    const auto fp32 = done_run(1, "none", 0.8649, 4000000);
    const auto ste = done_run(2, "pq", 0.8184, 150000, "ste");
    auto noise = done_run(3, "pq", 0.8485, 150000, "quant-noise");
    const auto comparison = compare_runs({{&ste, {}}, {&noise, {}}, {&fp32, {}}}, /*baseline=*/1);
    QCOMPARE(comparison.run_ids, (std::vector<int64_t>{1, 2, 3}));
    QCOMPARE(comparison.differing_keys, (std::vector<std::string>{"noise.mode", "quant.method"}));
    QCOMPARE(comparison.key_values[1], (std::vector<std::string>{"none", "pq", "pq"}));
    QCOMPARE(comparison.quantities.front().name, std::string("accuracy"));
    QCOMPARE(format_value(QuantityKind::Accuracy, 0.8485), std::string("84.85%"));
    QCOMPARE(format_difference(QuantityKind::Accuracy, 0.8485, 0.8649), std::string("-1.64 pts"));
    QCOMPARE(format_difference(QuantityKind::Bytes, 150000, 4000000), std::string("-3.85 MB (x0.04)"));
    QCOMPARE(format_difference(QuantityKind::Perplexity, 108.04, 108.26), std::string("-0.22 (x0.998)"));
    QCOMPARE(format_difference(QuantityKind::Bytes, 160000, 150000), std::string("+10.0 KB (x1.07)"));
    QCOMPARE(format_difference(QuantityKind::Compression, 26.7, 1.0), std::string());
    QCOMPARE(format_difference(QuantityKind::Seconds, 95, 90), std::string("+5 s"));
  }

  void ipq_stages_are_rows_with_their_differences() {
    const auto none = done_run(5, "ipq", 0.8559, 150000);
    const auto noise = done_run(6, "ipq", 0.8582, 150000, "quant-noise");
    const std::vector<MetricPoint> none_stages = {{1, "accuracy_after_quantization", 0.80},
                                                  {1, "accuracy_after_finetune", 0.85}};
    const std::vector<MetricPoint> noise_stages = {{1, "accuracy_after_quantization", 0.83},
                                                   {1, "accuracy_after_finetune", 0.86}};
    const auto comparison = compare_runs({{&none, none_stages}, {&noise, noise_stages}}, 5);
    const auto tsv = comparison_tsv(comparison);
    QVERIFY2(tsv.find("stage 1 accuracy after quantization\t80.00%\t83.00%\t+3.00 pts\n") != std::string::npos,
             tsv.c_str());
    QVERIFY2(tsv.find("stage 1 accuracy after fine-tuning\t85.00%\t86.00%\t+1.00 pts\n") != std::string::npos,
             tsv.c_str());
  }

  void exports_quote_and_escape() {
    const auto a = done_run(1, "none", 0.5, 1000);
    auto b = done_run(2, "int", 0.25, 500);
    b.config->data.path = "my, \"odd\" folder";
    const auto comparison = compare_runs({{&a, {}}, {&b, {}}}, 1);
    const auto csv = comparison_csv(comparison);
    QVERIFY2(csv.find("\"my, \"\"odd\"\" folder\"") != std::string::npos, csv.c_str());
    QVERIFY(csv.rfind("quantity,run 1 (baseline),run 2,run 2 difference\r\n", 0) == 0);
    const auto latex = comparison_latex(comparison);
    QVERIFY2(latex.find("accuracy & 50.00\\% & 25.00\\% & -25.00 pts \\\\") != std::string::npos,
             latex.c_str());
    QVERIFY(latex.find("data.path & (none) & my, \"odd\" folder") != std::string::npos);
    QVERIFY(latex.rfind("\\begin{tabular}{lrrr}", 0) == 0);
  }
};

QTEST_GUILESS_MAIN(TestRunComparison)
#include "test_run_comparison.moc"
