// The table behind the sweep insight views: which keys become axes and how, brushing, the
// main-effect importance of each key and the metric against one key, checked against values
// worked out by hand.
#include <QtTest>

#include "config/key_titles.h"
#include "config/run_config.h"
#include "sweep/metric_response.h"
#include "sweep/sweep_insight.h"

using namespace qn;

namespace {

StoredRun finished_run(int64_t id, nlohmann::json config, double metric, int64_t size_bytes,
                       const std::string& metric_name = "accuracy") {
  StoredRun run;
  run.id = id;
  run.config = parse_run_config(config);
  run.status = RunStatus::Done;
  run.result = StoredResult{metric_name, metric, std::nullopt, size_bytes, 4000000, 1, 1};
  return run;
}

std::vector<const StoredRun*> pointers(const std::vector<StoredRun>& runs) {
  std::vector<const StoredRun*> out;
  for (const auto& run : runs) out.push_back(&run);
  return out;
}

const InsightAxis& axis_named(const InsightTable& table, const std::string& key) {
  for (const auto& axis : table.axes) {
    if (axis.key == key) return axis;
  }
  throw std::runtime_error("no axis " + key);
}

// A 2 x 3 grid: method in {int, pq} adds -1 / +1, p in {0.1, 0.5, 0.9} adds -2 / 0 / +2,
// the seed nothing.
std::vector<StoredRun> additive_grid() {
  std::vector<StoredRun> runs;
  int64_t id = 1;
  for (const std::string method : {"int", "pq"}) {
    for (const double p : {0.1, 0.5, 0.9}) {
      const double metric = 80 + (method == "int" ? -1 : 1) + (p < 0.3 ? -2 : p > 0.7 ? 2 : 0);
      runs.push_back(finished_run(
          id, {{"quant", {{"method", method}, {"bits", 8}}}, {"noise", {{"p", p}}}, {"train", {{"seed", id % 2}}}},
          metric, 1000 * id));
      ++id;
    }
  }
  return runs;
}

}  // namespace

class TestSweepInsight : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void varying_keys_become_axes_then_size_and_metric() {
    const auto runs = additive_grid();
    const auto table = insight_table(pointers(runs));
    QCOMPARE(table.metric_name, std::string("accuracy"));
    QCOMPARE(table.run_ids, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(table.config_axes, size_t(3));  // quant.bits is the same in every run
    QCOMPARE(table.axes.size(), size_t(5));
    QCOMPARE(table.axes[0].key, std::string("noise.p"));
    QCOMPARE(table.axes[1].key, std::string("quant.method"));
    QCOMPARE(table.axes[2].key, std::string("train.seed"));
    QCOMPARE(table.axes[3].key, std::string("size_bytes"));
    QCOMPARE(table.axes[4].key, std::string("accuracy"));

    const auto& method = table.axes[1];
    QVERIFY(method.categorical);
    QCOMPARE(method.levels, (std::vector<std::string>{"int", "pq"}));
    QCOMPARE(method.values, (std::vector<double>{0, 0, 0, 1, 1, 1}));
    const auto& p = table.axes[0];
    QVERIFY(!p.categorical);
    QVERIFY(!p.log_scale);  // 0.1 .. 0.9 spans 9x
    QCOMPARE(p.low, 0.1);
    QCOMPARE(p.high, 0.9);
    QVERIFY(table.axes[3].log_scale);  // 1000 .. 6000 bytes: sizes differ by ratios
    QCOMPARE(table.axes[4].values[0], 77.0);
  }

  void wide_numbers_get_a_log_scale_and_names_are_categorical() {
    std::vector<StoredRun> runs = {
        finished_run(1, {{"train", {{"lr", 1e-4}}}, {"quant", {{"method", "int"}}}}, 0.8, 100),
        finished_run(2, {{"train", {{"lr", 1e-2}}}, {"quant", {{"method", "pq"}}}}, 0.9, 10000),
        finished_run(3, {{"train", {{"lr", 1e-3}}}}, 0.85, 1000)};
    const auto table = insight_table(pointers(runs));
    QVERIFY(axis_named(table, "train.lr").log_scale);
    QVERIFY(axis_named(table, "size_bytes").log_scale);
    const auto& method = axis_named(table, "quant.method");
    QVERIFY(method.categorical);
    QCOMPARE(method.levels, (std::vector<std::string>{"int", "none", "pq"}));
    QCOMPARE(method.values, (std::vector<double>{0, 2, 1}));
  }

  void layer_overrides_read_in_brief_and_keys_have_titles() {
    std::vector<StoredRun> runs = {
        finished_run(1,
                     {{"quant", {{"layers", nlohmann::json::array(
                                                {{{"pattern", "fc1"}, {"method", "int"}, {"bits", 8}},
                                                 {{"pattern", "conv*"}, {"method", "pq"}}})}}}},
                     0.8, 100),
        finished_run(2, nlohmann::json::object(), 0.9, 1000)};
    const auto table = insight_table(pointers(runs));
    QCOMPARE(axis_named(table, "quant.layers").levels,
             (std::vector<std::string>{"(none)", "fc1: int8, conv*: pq"}));
    QCOMPARE(key_title("quant.layers"), std::string("layer overrides"));
    QCOMPARE(key_title("noise.p"), std::string("noise rate p"));
    QCOMPARE(key_title("model.something_new"), std::string("model.something_new"));
  }

  void only_finished_runs_of_the_majority_metric_count() {
    auto runs = additive_grid();
    runs[0].status = RunStatus::Failed;
    runs[1].result.reset();
    runs.push_back(finished_run(9, {{"task", "brown-lm"}, {"model", {{"arch", "transformer-lm"}}}}, 120, 5000,
                                "perplexity"));
    auto running = finished_run(10, {{"quant", {{"method", "int"}}}}, 0, 1);
    running.status = RunStatus::Running;
    runs.push_back(running);
    const auto table = insight_table(pointers(runs));
    QCOMPARE(table.run_ids, (std::vector<int64_t>{3, 4, 5, 6}));
    QVERIFY(insight_table({}).axes.empty());
  }

  void brushing_selects_exactly_the_runs_inside_every_range() {
    const auto runs = additive_grid();
    const auto table = insight_table(pointers(runs));
    QCOMPARE(runs_within(table, {}), table.run_ids);
    // p in [0.5, 0.9]: runs 2, 3, 5, 6; and method pq (level 1): 5, 6.
    QCOMPARE(runs_within(table, {{0, 0.5, 0.9}}), (std::vector<int64_t>{2, 3, 5, 6}));
    QCOMPARE(runs_within(table, {{0, 0.5, 0.9}, {1, 0.5, 1.5}}), (std::vector<int64_t>{5, 6}));
    // Bounds are inclusive; an empty range selects nothing.
    QCOMPARE(runs_within(table, {{4, 77, 78}}), (std::vector<int64_t>{1}));
    QCOMPARE(runs_within(table, {{4, 90, 95}}), std::vector<int64_t>{});
  }

  void importance_is_each_keys_share_of_the_variance() {
    const auto runs = additive_grid();
    const auto importance = metric_importance(insight_table(pointers(runs)));
    // Metrics 77 79 81 | 79 81 83, mean 80, total sum of squares 22. By p: means 78, 80,
    // 82, between 16 (8/11); by method: 79, 81, between 6 (3/11): the grid is balanced,
    // so the two effects add up to the whole.
    QCOMPARE(importance.size(), size_t(3));
    QCOMPARE(importance[0].keys, std::string("noise.p"));
    QCOMPARE(importance[0].groups, size_t(3));
    QVERIFY(std::abs(importance[0].share - 8.0 / 11.0) < 1e-12);
    QCOMPARE(importance[1].keys, std::string("quant.method"));
    QVERIFY(std::abs(importance[1].share - 3.0 / 11.0) < 1e-12);
    // train.seed: odd ids (77, 81, 81) mean 239/3, even ids (79, 79, 83) 241/3; between
    // 2 * 3 * (1/3)^2 = 2/3 of 22.
    QCOMPARE(importance[2].keys, std::string("train.seed"));
    QVERIFY(std::abs(importance[2].share - (2.0 / 3.0) / 22.0) < 1e-12);
  }

  void keys_that_vary_together_are_one_entry() {
    std::vector<StoredRun> runs;
    for (int64_t id = 1; id <= 4; ++id) {
      const bool noisy = id > 2;
      runs.push_back(finished_run(
          id, {{"quant", {{"method", "int"}}},
               {"noise", {{"mode", noisy ? "quant-noise" : "none"}, {"form", noisy ? "exact" : "proxy"}}},
               {"train", {{"seed", id % 2}}}},
          noisy ? 88.0 + static_cast<double>(id) * 0.1 : 80.0, 100));
    }
    const auto importance = metric_importance(insight_table(pointers(runs)));
    QCOMPARE(importance.size(), size_t(2));
    QCOMPARE(importance[0].keys, std::string("noise.form = noise.mode"));
    QVERIFY(importance[0].share > 0.99);
    QCOMPARE(importance[1].keys, std::string("train.seed"));
    QVERIFY(importance[1].share < 0.001);
  }

  void a_key_with_a_value_per_run_is_left_out() {
    // Every run its own group explains all the variance whatever the key: noise.
    std::vector<StoredRun> runs;
    for (int64_t id = 1; id <= 4; ++id) {
      runs.push_back(finished_run(id, {{"data", {{"path", "run " + std::to_string(id)}}}, {"quant", {{"bits", id <= 2 ? 4 : 8}}}},
                                  id <= 2 ? 70.0 + static_cast<double>(id) : 85.0, 100));
    }
    const auto importance = metric_importance(insight_table(pointers(runs)));
    QCOMPARE(importance.size(), size_t(1));
    QCOMPARE(importance[0].keys, std::string("quant.bits"));
  }

  void many_numeric_values_are_grouped_by_quartile() {
    std::vector<StoredRun> runs;
    for (int64_t id = 1; id <= 12; ++id) {
      const double lr = 1e-4 * static_cast<double>(id);
      runs.push_back(finished_run(id, {{"train", {{"lr", lr}}}}, id <= 6 ? 70.0 : 90.0, 100));
    }
    const auto importance = metric_importance(insight_table(pointers(runs)));
    QCOMPARE(importance.size(), size_t(1));
    QCOMPARE(importance[0].groups, size_t(4));
    QVERIFY(std::abs(importance[0].share - 1.0) < 1e-12);  // quartiles 1-2 at 70, 3-4 at 90
  }

  void nothing_to_explain_gives_no_importance() {
    std::vector<StoredRun> runs = {finished_run(1, {{"train", {{"seed", 1}}}}, 80, 1),
                                   finished_run(2, {{"train", {{"seed", 2}}}}, 80, 1),
                                   finished_run(3, {{"train", {{"seed", 3}}}}, 80, 1)};
    QVERIFY(metric_importance(insight_table(pointers(runs))).empty());
    runs.pop_back();
    runs[1].result->metric = 90;
    QVERIFY(metric_importance(insight_table(pointers(runs))).empty());  // two runs
  }
  void the_response_is_drawn_against_the_swept_numeric_key() {
    auto runs = additive_grid();
    runs.push_back(finished_run(7, {{"quant", {{"method", "pq"}, {"bits", 4}}}, {"noise", {{"p", 0.5}}},
                                    {"train", {{"seed", 0}}}}, 70, 7000));
    const auto table = insight_table(pointers(runs));
    // quant.bits (2 values) and noise.p (3) are numeric; the method is text, the seed a repeat.
    const auto axes = response_axes(table);
    QCOMPARE(axes.size(), size_t{2});
    QCOMPARE(table.axes[axes[0]].key, std::string("noise.p"));
    QCOMPARE(table.axes[axes[1]].key, std::string("quant.bits"));
  }

  void runs_differing_only_by_seed_are_one_point_their_mean() {
    std::vector<StoredRun> runs;
    int64_t id = 1;
    for (const std::string method : {"ipq", "int"}) {
      for (const double p : {0.5, 0.1}) {
        for (const int seed : {0, 1}) {
          const double metric = (method == "int" ? 90 : 80) + 10 * p + seed;
          runs.push_back(finished_run(id++, {{"quant", {{"method", method}}}, {"noise", {{"p", p}}},
                                             {"train", {{"seed", seed}}}}, metric, 1000));
        }
      }
    }
    const auto table = insight_table(pointers(runs));
    const auto response = metric_response(table, response_axes(table).at(0));
    QCOMPARE(response.key, std::string("noise.p"));
    QVERIFY(!response.log_scale);
    QCOMPARE(response.lines.size(), size_t{2});
    QCOMPARE(response.lines[0].label, std::string("quant.method=ipq"));  // first in the table
    QCOMPARE(response.lines[1].label, std::string("quant.method=int"));
    const auto& ipq = response.lines[0].points;
    QCOMPARE(ipq.size(), size_t{2});
    QCOMPARE(ipq[0].x, 0.1);  // ascending, whatever the runs' order
    QCOMPARE(ipq[0].values, (std::vector<double>{81, 82}));
    QCOMPARE(ipq[0].mean, 81.5);
    QCOMPARE(ipq[1].x, 0.5);
    QCOMPARE(ipq[1].mean, 85.5);
    QCOMPARE(response.lines[1].points[1].mean, 95.5);
  }

  void one_varying_key_is_one_line_and_a_wide_key_is_drawn_on_a_log_scale() {
    std::vector<StoredRun> runs;
    int64_t id = 1;
    for (const double lr : {1e-4, 1e-3, 1e-2}) {
      runs.push_back(finished_run(id, {{"train", {{"lr", lr}}}}, 80.0 + static_cast<double>(id), 1000));
      ++id;
    }
    const auto table = insight_table(pointers(runs));
    const auto response = metric_response(table, response_axes(table).at(0));
    QVERIFY(response.log_scale);
    QCOMPARE(response.lines.size(), size_t{1});
    QCOMPARE(response.lines[0].label, std::string("all runs"));
    QCOMPARE(response.lines[0].points.size(), size_t{3});
  }

  void a_text_key_or_the_seed_is_refused_as_the_x_axis() {
    const auto runs = additive_grid();
    const auto table = insight_table(pointers(runs));
    for (const auto* key : {"quant.method", "train.seed"}) {
      size_t axis = 0;
      while (table.axes[axis].key != key) ++axis;
      QVERIFY_THROWS_EXCEPTION(std::invalid_argument, metric_response(table, axis));
    }
  }
};

QTEST_GUILESS_MAIN(TestSweepInsight)
#include "test_sweep_insight.moc"
