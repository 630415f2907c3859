// Layer sensitivity and the size solver (docs/analysis.md, "Layer sensitivity and the
// size solver"), on real tiny Fashion-MNIST runs: a table's row is the metric a real run
// that quantizes that layer alone reports, to the bit; the solver is optimal (brute force on
// random instances) and within its budget; the mixed config's real size is the predicted
// size to the byte; bad input is refused with a clear message; tables round-trip the store.
#include <QTemporaryDir>
#include <QtTest>
#include <random>

#include "common/error.h"
#include "config/run_config.h"
#include "store/run_store.h"
#include "store/schema.h"
#include "store/sensitivity_store.h"
#include "train/layer_sensitivity.h"
#include "train/size_solver.h"
#include "train/solver_answer.h"
#include "train/training_run.h"
#include "test_support.h"

using namespace qn;
using nlohmann::json;

namespace {

json tiny_json(json quant) {
  return {{"device", "cpu"},
          {"task", "fashion-mnist"},
          {"data", {{"train_limit", 1024}, {"eval_limit", 500}}},
          {"model", {{"width", 16}, {"hidden", 32}}},
          {"train", {{"max_steps", 12}, {"batch_size", 32}, {"seed", 3}}},
          {"quant", std::move(quant)},
          {"noise", {{"mode", "none"}}}};
}

json preset_quant() {
  // BatchNorm re-estimated from 10 batches, not 100: a table's rows and the real runs they
  // are compared with both follow quant.batchnorm_batches.
  return {{"method", "none"},
          {"block_size", {{"linear", 8}, {"conv1x1", 4}, {"conv", 9}, {"embedding", 8}}},
          {"batchnorm_batches", 10}};
}

RunConfig tiny(json quant = preset_quant()) { return parse_run_config(tiny_json(std::move(quant))); }

const SensitivityRow& row_of(const SensitivityTable& table, const std::string& layer,
                             const std::string& candidate) {
  for (const auto& row : table.rows) {
    if (row.layer == layer && row.candidate == candidate) return row;
  }
  qFatal("no row %s %s", layer.c_str(), candidate.c_str());
}

int64_t weight_entry(const RunResult& result, const std::string& layer) {
  for (const auto& entry : result.size.entries()) {
    if (entry.name == layer + ".weight") return entry.bytes.total();
  }
  return -1;
}

// The least drop over every combination, and whether any fits.
std::optional<double> brute_force(const std::vector<std::vector<SolverOption>>& layers,
                                  int64_t budget) {
  std::optional<double> best;
  std::vector<size_t> at(layers.size(), 0);
  while (true) {
    int64_t bytes = 0;
    double drop = 0;
    for (size_t i = 0; i < layers.size(); ++i) {
      bytes += layers[i][at[i]].bytes;
      drop += layers[i][at[i]].drop;
    }
    if (bytes <= budget && (!best || drop < *best)) best = drop;
    size_t i = 0;
    while (i < layers.size() && ++at[i] == layers[i].size()) at[i++] = 0;
    if (i == layers.size()) return best;
  }
}

}  // namespace

class TestLayerSensitivity : public QObject {
  Q_OBJECT

  SensitivityTable table_;

 private Q_SLOTS:
  void the_solvers_answer_reads_back_as_written() {
    SolverAnswer answer;
    answer.target_bytes = 150000;
    answer.predicted_bytes = 149876;
    answer.predicted_metric = 0.8512;
    answer.predicted_drop = 0.0123;
    answer.metric_name = "accuracy";
    answer.baseline_metric = 0.8635;
    answer.smallest_bytes = 90000;
    answer.fp32_size_bytes = 4000000;
    answer.sensitivity_table_id = 7;
    answer.layers = {{"stem", std::nullopt, "fp32", 0}, {"hidden", "pq256", "PQ K=256", 0.0123}};
    answer.config.quant.method = QuantMethod::PQ;
    const auto read = parse_solver_answer(json::parse(to_json(answer).dump()));
    QCOMPARE(to_json(read), to_json(answer));
    QCOMPARE(read.layers[1].candidate, std::optional<std::string>("pq256"));
    QVERIFY(!read.layers[0].candidate);
    // Another qnoise's answer, without a key this one needs: said, naming the key.
    auto older = to_json(answer);
    older.erase("fp32_size_bytes");
    QVERIFY(qn::test::throws_input_error([&] { parse_solver_answer(older); }, {"fp32_size_bytes"}));
  }

  void initTestCase() {
    table_ = measure_layer_sensitivity(tiny(), {"int4", "pq16"}, nullptr, nullptr);
    QVERIFY(!table_.rows.empty());
    QCOMPARE(table_.metric_name, std::string("accuracy"));
  }

  void table_covers_every_compressed_layer() {
    const auto layers = sensitivity_layers(tiny());
    for (const auto& layer : layers) {
      QVERIFY2(std::any_of(table_.rows.begin(), table_.rows.end(),
                           [&](const SensitivityRow& row) { return row.layer == layer; }),
               layer.c_str());
    }
    for (const auto& row : table_.rows) {
      QVERIFY(row.bytes_saved > 0);
      QCOMPARE(row.metric_drop, table_.baseline_metric - row.metric);
    }
  }

  // The baseline, and a row of each method, against real runs built by hand.
  void rows_equal_real_runs_quantizing_one_layer() {
    json none_quant = preset_quant();
    none_quant["method"] = "int";
    none_quant["layers"] = json::array({{{"pattern", "."}, {"method", "none"}}});
    const auto baseline = run_training(tiny(none_quant), nullptr, nullptr);
    QCOMPARE(baseline.metric, table_.baseline_metric);
    QCOMPARE(baseline.float_metric, table_.float_metric);

    for (const auto& [layer, candidate, entry] :
         {std::tuple{std::string("classifier"), std::string("int4"),
                     json{{"pattern", "^classifier$"}, {"method", "int"}, {"bits", 4}}},
          std::tuple{std::string("hidden"), std::string("pq16"),
                     json{{"pattern", "^hidden$"}, {"method", "pq"}, {"centroids", 16}}}}) {
      json quant = preset_quant();
      quant["method"] = "int";
      quant["layers"] = json::array({entry, {{"pattern", "."}, {"method", "none"}}});
      const auto real = run_training(tiny(quant), nullptr, nullptr);
      const auto& row = row_of(table_, layer, candidate);
      QCOMPARE(real.metric, row.metric);
      QCOMPARE(baseline.metric - real.metric, row.metric_drop);
      QCOMPARE(weight_entry(real, layer), row.weight_bytes);
      QCOMPARE(baseline.size.total_bytes() - real.size.total_bytes(), row.bytes_saved);
    }
  }

  void solver_is_optimal_on_random_instances() {
    std::mt19937_64 random(7);
    for (int instance = 0; instance < 400; ++instance) {
      const size_t layer_count = 1 + random() % 5;
      std::vector<std::vector<SolverOption>> layers(layer_count);
      int64_t most = 0;
      for (auto& options : layers) {
        const size_t count = 1 + random() % 4;
        int64_t largest = 0;
        for (size_t o = 0; o < count; ++o) {
          const int64_t bytes = static_cast<int64_t>(random() % 60);
          const double drop = std::uniform_real_distribution<double>(-0.05, 1.0)(random);
          options.push_back({bytes, drop});
          largest = std::max(largest, bytes);
        }
        most += largest;
      }
      const int64_t budget = static_cast<int64_t>(random() % static_cast<uint64_t>(most + 2));
      const auto expected = brute_force(layers, budget);
      const auto solution = solve_multiple_choice(layers, budget);
      QCOMPARE(solution.has_value(), expected.has_value());
      if (!solution) continue;
      int64_t bytes = 0;
      double drop = 0;
      for (size_t i = 0; i < layer_count; ++i) {
        bytes += layers[i][solution->options[i]].bytes;
        drop += layers[i][solution->options[i]].drop;
      }
      QCOMPARE(bytes, solution->bytes);
      QVERIFY(bytes <= budget);
      QCOMPARE(drop, solution->drop);
      QCOMPARE(drop, *expected);
    }
  }

  // The plan's predicted size is the real run's, to the byte, and within the target.
  void mixed_config_size_is_predicted_to_the_byte() {
    const auto config = tiny();
    const auto smallest = smallest_mixed_bytes(config, {"int4", "pq16"});
    const auto fp32 = target_bytes_for_ratio(config, 1.0);
    for (const int64_t target : {smallest, (smallest + fp32) / 2, smallest + (fp32 - smallest) / 8}) {
      const auto plan = plan_mixed_config(config, table_, target);
      QVERIFY(plan.predicted_bytes <= target);
      QCOMPARE(plan.smallest_bytes, smallest);
      const auto real = run_training(plan.config, nullptr, nullptr);
      QCOMPARE(real.size.total_bytes(), plan.predicted_bytes);
      qInfo("target %lld: predicted %lld bytes, accuracy %.4f; measured %.4f", static_cast<long long>(target),
            static_cast<long long>(plan.predicted_bytes), plan.predicted_metric, real.metric);
    }
    // A plan whose every layer takes one candidate: the additive model is exact for one layer.
    const auto& row = row_of(table_, "classifier", "int4");
    SensitivityTable single = table_;
    single.rows = {row};
    const auto baseline = target_bytes_for_ratio(config, 1.0);
    const auto plan = plan_mixed_config(config, single, baseline - row.bytes_saved);
    for (size_t i = 0; i < plan.layers.size(); ++i) {
      QCOMPARE(plan.choices[i].has_value(), plan.layers[i] == "classifier");
    }
    // The additive model is exact for one layer, a gain read as none.
    QVERIFY(std::abs(plan.predicted_metric - std::min(row.metric, table_.baseline_metric)) < 1e-12);
  }

  // Gains within a slice's noise do not add up: with every drop negative the plan predicts
  // the baseline, not a better model, and takes the fewest bytes among the free choices.
  void negative_drops_count_as_none() {
    const auto config = tiny();
    SensitivityTable gains = table_;
    for (auto& row : gains.rows) {
      row.metric_drop = -0.002;
      row.metric = gains.baseline_metric + 0.002;
    }
    const auto smallest = smallest_mixed_bytes(config, {"int4", "pq16"});
    const auto plan = plan_mixed_config(config, gains, target_bytes_for_ratio(config, 1.0));
    QCOMPARE(plan.predicted_metric, gains.baseline_metric);
    for (const double drop : plan.drops) QCOMPARE(drop, 0.0);
    QCOMPARE(plan.predicted_bytes, smallest);  // every layer at its smallest: all free
  }

  // solve --finetune: the mix's PQ layers fine-tuned stage by stage as iPQ, at the same bytes.
  void a_mixed_config_fine_tunes_as_ipq_at_the_same_size() {
    const auto config = tiny();
    const auto plan = plan_mixed_config(config, table_, smallest_mixed_bytes(config, {"int4", "pq16"}));
    const auto tuned = with_ipq_finetuning(plan.config, 3);
    QVERIFY(tuned);
    QCOMPARE(tuned->quant.method, QuantMethod::IPQ);
    QCOMPARE(tuned->quant.finetune_steps, int64_t{3});
    for (const auto& entry : tuned->quant.layers) QVERIFY(entry.method != QuantMethod::PQ);
    const auto real = run_training(*tuned, nullptr, nullptr);
    QCOMPARE(real.size.total_bytes(), plan.predicted_bytes);
    QVERIFY(!real.stages.empty());  // iPQ's stages ran
    // A mix without PQ has nothing to fine-tune.
    const auto int4_only = plan_mixed_config(config, [&] {
      auto only = table_;
      only.rows.erase(std::remove_if(only.rows.begin(), only.rows.end(),
                                     [](const SensitivityRow& row) { return row.candidate != "int4"; }),
                      only.rows.end());
      return only;
    }(), target_bytes_for_ratio(config, 1.5));
    QVERIFY(!with_ipq_finetuning(int4_only.config, 3));
  }

  void bad_input_is_refused() {
    const auto config = tiny();
    const auto smallest = smallest_mixed_bytes(config, {"int4", "pq16"});
    try {
      plan_mixed_config(config, table_, smallest - 1);
      QFAIL("a target below the smallest size was accepted");
    } catch (const InputError& error) {
      QVERIFY2(std::string(error.what()).find(std::to_string(smallest) + " bytes") != std::string::npos,
               error.what());
    }
    QVERIFY_THROWS_EXCEPTION(InputError, parse_layer_candidate("int9"));
    QVERIFY_THROWS_EXCEPTION(InputError, parse_layer_candidate("pq1"));
    QVERIFY_THROWS_EXCEPTION(InputError, parse_layer_candidate("fp8"));
    QVERIFY_THROWS_EXCEPTION(InputError,
                             measure_layer_sensitivity(config, {"int4", "int4"}, nullptr, nullptr));
    QVERIFY_THROWS_EXCEPTION(InputError, target_bytes_for_ratio(config, 0.0));
  }

  void tables_round_trip_the_store() {
    QTemporaryDir folder;
    RunStore store(folder.filePath("store.sqlite").toStdString());
    QCOMPARE(schema_version(store.database()), 8);
    SensitivityStore tables(store.database());
    const auto id = tables.add(table_);
    const auto back = tables.get(id);
    QVERIFY(back);
    QCOMPARE(back->rows.size(), table_.rows.size());
    QCOMPARE(back->baseline_metric, table_.baseline_metric);
    QCOMPARE(back->rows.front().layer, table_.rows.front().layer);
    QCOMPARE(back->rows.back().metric_drop, table_.rows.back().metric_drop);
    QCOMPARE(back->config, table_.config);
    const auto found = tables.find(table_.config_hash, table_.candidates, table_.device);
    QVERIFY(found);
    QCOMPARE(*found->id, id);
    QVERIFY(!tables.find(table_.config_hash, {"int8"}, table_.device));
  }
};

QTEST_GUILESS_MAIN(TestLayerSensitivity)
#include "test_layer_sensitivity.moc"
