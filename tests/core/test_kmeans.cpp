// k-means: monotone objective, empty-cluster splitting, exact assignment, determinism.
#include <torch/types.h>

#include <QtTest>

#include "quant/empty_cluster_split.h"
#include "quant/kmeans.h"
#include "quant/nearest_centroid.h"
#include "test_support.h"

using namespace qn;
using qn::test::seeded_randn;

namespace {

double sum_of_squared_errors(const torch::Tensor& points, const torch::Tensor& centroids,
                             const torch::Tensor& assignments) {
  return (points - centroids.index_select(0, assignments))
      .pow(2)
      .sum(torch::kDouble)
      .item<double>();
}

torch::Tensor brute_force_distances(const torch::Tensor& points, const torch::Tensor& centroids) {
  return (points.unsqueeze(1) - centroids.unsqueeze(0)).pow(2).sum(2);
}

void verify_non_increasing(const std::vector<double>& objective) {
  for (size_t i = 1; i < objective.size(); ++i) {
    QVERIFY2(objective[i] <= objective[i - 1] * (1 + 1e-6),
             qPrintable(
                 QString("iteration %1: %2 > %3").arg(i).arg(objective[i]).arg(objective[i - 1])));
  }
}

}  // namespace

class TestKMeans : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void objective_never_increases() {
    for (uint64_t seed : {1, 2, 3}) {
      const auto points = seeded_randn({4000, 8}, seed);
      KMeansOptions options;
      options.centroids = 64;
      options.iterations = 15;
      options.seed = seed;
      const auto result = kmeans(points, options);
      QCOMPARE(result.objective.size(), size_t{15});
      auto objective = result.objective;
      objective.push_back(result.final_objective);
      verify_non_increasing(objective);
      QVERIFY(result.final_objective < 0.9 * result.objective.front());
      // The final objective is the error of exactly what is returned.
      QVERIFY(qAbs(result.final_objective -
                   sum_of_squared_errors(points, result.centroids, result.assignments)) <=
              1e-4 * result.final_objective);
    }
  }

  void objective_never_increases_through_cluster_splits() {
    const auto points = seeded_randn({3000, 4}, 4);
    KMeansOptions options;
    options.centroids = 32;
    options.iterations = 10;
    // Half the starting centroids are far from every point: their clusters start empty.
    options.initial_centroids = torch::cat({points.narrow(0, 0, 16), torch::full({16, 4}, 1000.0)});
    const auto result = kmeans(points, options);
    QVERIFY(result.empty_clusters_resolved >= 16);
    verify_non_increasing(result.objective);
  }

  void no_cluster_is_empty_after_resolution() {
    const auto points = seeded_randn({5000, 8}, 5);
    KMeansOptions options;
    options.centroids = 100;
    options.iterations = 8;
    options.initial_centroids = torch::cat({points.narrow(0, 0, 60), torch::full({40, 8}, -50.0)});
    const auto result = kmeans(points, options);
    QVERIFY(result.empty_clusters_resolved >= 40);
    const auto counts = torch::bincount(result.assignments, {}, 100);
    QVERIFY2((counts > 0).all().item<bool>(),
             qPrintable(QString("%1 empty").arg((counts == 0).sum().item<int64_t>())));
  }

  void split_fills_empty_clusters_without_raising_the_error() {
    const auto points = seeded_randn({600, 3}, 6);
    auto centroids = points.narrow(0, 0, 10).clone();
    auto assignments = nearest_centroids(points, centroids).index;
    assignments.masked_fill_(assignments >= 7, 0);  // clusters 7, 8, 9 emptied into cluster 0
    auto counts = torch::bincount(assignments, {}, 10);
    for (int64_t c = 0; c < 10; ++c) {
      const auto members = assignments == c;
      if (members.any().item<bool>()) centroids[c] = points.index({members}).mean(0);
    }
    const double before = sum_of_squared_errors(points, centroids, assignments);

    QCOMPARE(split_most_populated(points, assignments, centroids, counts), int64_t{3});
    QVERIFY((counts > 0).all().item<bool>());
    QVERIFY(torch::equal(counts, torch::bincount(assignments, {}, 10)));
    QVERIFY(sum_of_squared_errors(points, centroids, assignments) <= before);
    // Each split cluster sits at the mean of its points.
    for (int64_t c : {7, 8, 9}) {
      const auto mean = points.index({assignments == c}).mean(0);
      QVERIFY(qn::test::max_abs_difference(centroids[c], mean) < 1e-5);
    }
  }

  void assignment_equals_brute_force_argmin() {
    const auto points = seeded_randn({3000, 8}, 7);
    const auto centroids = seeded_randn({256, 8}, 8);
    const auto distances = brute_force_distances(points, centroids);
    const auto [best, best_index] = distances.min(1);
    // Skip points whose two nearest centroids are within float rounding of each other.
    const auto two_best = std::get<0>(distances.topk(2, 1, /*largest=*/false));
    const auto clear = (two_best.select(1, 1) - two_best.select(1, 0)) > 1e-4;
    QVERIFY(clear.sum().item<int64_t>() > 2900);
    for (int64_t chunk : {0, 1, 7, 1000, 5000}) {
      const auto nearest = nearest_centroids(points, centroids, chunk);
      QVERIFY(torch::equal(nearest.index.masked_select(clear), best_index.masked_select(clear)));
      QVERIFY(qn::test::max_abs_difference(nearest.sq_distance, best) < 1e-4);
    }
  }

  void fits_on_a_sample_then_assigns_every_point() {
    const auto points = seeded_randn({20000, 4}, 12);
    KMeansOptions options;
    options.centroids = 32;
    options.iterations = 10;
    options.max_points_per_centroid = 64;
    const auto sampled = kmeans(points, options);
    QCOMPARE(sampled.points_fitted, int64_t{32 * 64});
    QCOMPARE(sampled.assignments.numel(), int64_t{20000});
    verify_non_increasing(sampled.objective);
    QVERIFY(qAbs(sampled.final_objective -
                 sum_of_squared_errors(points, sampled.centroids, sampled.assignments)) <=
            1e-4 * sampled.final_objective);
    // A looser fit than on all points, but close.
    options.max_points_per_centroid = 0;
    const auto full = kmeans(points, options);
    QCOMPARE(full.points_fitted, int64_t{20000});
    QVERIFY(sampled.final_objective < 1.05 * full.final_objective);
  }

  void same_seed_same_result_and_seeds_differ() {
    const auto points = seeded_randn({2000, 4}, 9);
    KMeansOptions options;
    options.centroids = 16;
    options.iterations = 5;
    options.seed = 42;
    const auto first = kmeans(points, options);
    const auto second = kmeans(points, options);
    QVERIFY(torch::equal(first.centroids, second.centroids));
    QVERIFY(torch::equal(first.assignments, second.assignments));
    options.seed = 43;
    QVERIFY(!torch::equal(kmeans(points, options).centroids, first.centroids));
  }

  void reports_each_iteration() {
    const auto points = seeded_randn({500, 2}, 10);
    KMeansOptions options;
    options.centroids = 8;
    options.iterations = 4;
    std::vector<int> seen;
    options.on_iteration = [&](int iteration, double) { seen.push_back(iteration); };
    kmeans(points, options);
    QCOMPARE(seen, (std::vector<int>{0, 1, 2, 3}));
  }

  void rejects_impossible_requests() {
    const auto points = seeded_randn({10, 4}, 11);
    KMeansOptions options;
    options.centroids = 11;
    QVERIFY(qn::test::throws_input_error([&] { kmeans(points, options); },
                                         {"11 centroids", "10 points"}));
    options.centroids = 4;
    options.initial_centroids = torch::zeros({4, 3});
    QVERIFY(qn::test::throws_input_error([&] { kmeans(points, options); },
                                         {"initial centroids", "(4, 4)"}));
  }
};

QTEST_GUILESS_MAIN(TestKMeans)
#include "test_kmeans.moc"
