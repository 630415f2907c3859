// The benchmark harness: the statistics every `qnoise bench` figure is reported with
// (checked against values worked out by hand and by numpy), the interleaved schedule, the
// verdict on a ratio, and the resident-memory probes.
#include <QtTest>

#include <map>
#include <set>

#include "bench/bench_machine.h"
#include "bench/interleaved_bench.h"
#include "bench/resident_memory.h"
#include "common/error.h"

using namespace qn;

namespace {

std::vector<double> one_to(int n) {
  std::vector<double> values;
  for (int i = n; i >= 1; --i) values.push_back(i);  // unsorted on purpose
  return values;
}

// A variant that takes no time and answers the seconds it is given, round by round.
BenchVariant scripted_variant(const std::string& name, std::vector<double> answers,
                              std::vector<std::pair<std::string, int64_t>>* calls) {
  auto next = std::make_shared<size_t>(0);
  return {name, [=](int64_t steps) {
            calls->push_back({name, steps});
            return answers[(*next)++ % answers.size()];
          }};
}

}  // namespace

class TestBenchHarness : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void spread_matches_numpy_and_the_binomial_interval() {
    const auto spread = spread_of(one_to(20));
    QCOMPARE(spread.count, size_t{20});
    QCOMPARE(spread.median, 10.5);          // numpy.median(range(1, 21))
    QCOMPARE(spread.lower_quartile, 5.75);  // numpy.percentile(..., 25)
    QCOMPARE(spread.upper_quartile, 15.25);
    // n = 20: P(X <= 5) = 0.0207 keeps 95%, P(X <= 6) = 0.0577 does not: ranks 6 and 15.
    QCOMPARE(spread.median_low, 6.0);
    QCOMPARE(spread.median_high, 15.0);
    QVERIFY(std::abs(spread.coverage - (1 - 2 * 0.020694732666015625)) < 1e-9);
  }

  void many_samples_give_the_normal_approximation() {
    // n = 10000: ranks n/2 -+ 1.96 sqrt(n)/2 = 5000 -+ 98, within one rank.
    const auto spread = spread_of(one_to(10000));
    QVERIFY2(spread.median_low >= 4901 && spread.median_low <= 4903,
             qPrintable(QString::number(spread.median_low)));
    QCOMPARE(spread.median_high, 10001 - spread.median_low);
    QVERIFY(spread.coverage >= 0.95 && spread.coverage < 0.952);
  }

  void few_samples_give_the_extremes_and_say_their_coverage() {
    const auto spread = spread_of({3, 1, 2, 5, 4});
    QCOMPARE(spread.median, 3.0);
    QCOMPARE(spread.median_low, 1.0);
    QCOMPARE(spread.median_high, 5.0);
    QVERIFY(std::abs(spread.coverage - (1 - 2.0 / 32)) < 1e-12);  // below 95%: said, not hidden
    QVERIFY_THROWS_EXCEPTION(InputError, spread_of({}));
  }

  void intervals_overlap_or_not() {
    const auto low = spread_of({1, 2, 3, 4, 5, 6, 7, 8, 9});
    auto high = spread_of({8, 9, 10, 11, 12, 13, 14, 15, 16});
    QVERIFY(intervals_overlap(low, low));
    QVERIFY(!intervals_overlap(low, high));  // [2, 8] against [9, 15]
    high = spread_of({7, 8, 9, 10, 11, 12, 13, 14, 15});
    QVERIFY(intervals_overlap(low, high));  // [2, 8] against [8, 14]
    QVERIFY_THROWS_EXCEPTION(InputError, paired_ratios({1, 2}, {1}));
  }

  void every_round_times_every_variant_once_in_shuffled_orders() {
    std::vector<std::pair<std::string, int64_t>> calls;
    const std::vector<BenchVariant> variants = {scripted_variant("a", {1}, &calls),
                                                scripted_variant("b", {2}, &calls),
                                                scripted_variant("c", {3}, &calls),
                                                scripted_variant("d", {4}, &calls)};
    const InterleavedSchedule schedule{/*warmup_steps=*/3, /*steps_per_block=*/7, /*blocks=*/12,
                                       /*seed=*/5};
    const auto times = run_interleaved(variants, schedule);
    QCOMPARE(calls.size(), size_t{4 + 4 * 12});
    std::set<std::string> warmed;
    for (size_t i = 0; i < 4; ++i) {
      QCOMPARE(calls[i].second, int64_t{3});
      warmed.insert(calls[i].first);
    }
    QCOMPARE(warmed.size(), size_t{4});
    std::set<std::string> orders;
    for (size_t round = 0; round < 12; ++round) {
      std::string order;
      for (size_t i = 0; i < 4; ++i) {
        const auto& call = calls[4 + 4 * round + i];
        QCOMPARE(call.second, int64_t{7});
        order += call.first;
      }
      std::string sorted = order;
      std::sort(sorted.begin(), sorted.end());
      QCOMPARE(sorted, std::string("abcd"));  // each once a round
      orders.insert(order);
    }
    QVERIFY(orders.size() > 3);  // shuffled: 12 rounds do not repeat one order
    QCOMPARE(times.seconds[times.index_of("c")], std::vector<double>(12, 3.0));

    std::vector<std::pair<std::string, int64_t>> again;
    const std::vector<BenchVariant> same = {scripted_variant("a", {1}, &again),
                                            scripted_variant("b", {2}, &again),
                                            scripted_variant("c", {3}, &again),
                                            scripted_variant("d", {4}, &again)};
    run_interleaved(same, schedule);
    QCOMPARE(again, calls);  // the seed decides the orders
  }

  void bad_schedules_and_names_are_refused() {
    std::vector<std::pair<std::string, int64_t>> calls;
    const std::vector<BenchVariant> twins = {scripted_variant("a", {1}, &calls),
                                             scripted_variant("a", {1}, &calls)};
    QVERIFY_THROWS_EXCEPTION(InputError, run_interleaved(twins, InterleavedSchedule{}));
    const std::vector<BenchVariant> one = {scripted_variant("a", {1}, &calls)};
    QVERIFY_THROWS_EXCEPTION(InputError, run_interleaved(one, InterleavedSchedule{5, 10, 1, 0}));
    QVERIFY_THROWS_EXCEPTION(InputError, run_interleaved(one, InterleavedSchedule{5, 0, 10, 0}));
    QVERIFY(calls.empty());  // refused before any work
  }

  void a_ratio_is_paired_round_by_round_and_judged_by_its_interval() {
    // The machine's speed swings by 2x between rounds; "slow" is always 5% slower than
    // "plain" in the same round, "same" 3% either way: the pairing sees through the swing.
    const std::vector<double> plain = {1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0};
    std::vector<double> slow, same;
    for (size_t i = 0; i < plain.size(); ++i) {
      slow.push_back(plain[i] * 1.05);
      same.push_back(plain[i] * (i % 2 ? 1.03 : 0.97));
    }
    InterleavedTimes times{{"plain", "slow", "same"}, {plain, slow, same}, {}};
    const auto report = interleaved_report(times, {{"slow", "plain"}, {"same", "plain"}});
    const auto& slower = report["comparisons"][0];
    QCOMPARE(slower["verdict"].get<std::string>(), std::string("slower"));
    QVERIFY(std::abs(slower["time_ratio"]["median"].get<double>() - 1.05) < 1e-12);
    QVERIFY(std::abs(slower["time_ratio"]["median_low"].get<double>() - 1.05) < 1e-12);
    QCOMPARE(report["comparisons"][1]["verdict"].get<std::string>(), std::string("within noise"));
    QCOMPARE(report["variants"][0]["seconds_per_step"]["median"].get<double>(), 1.5);
    QCOMPARE(report["variants"][0]["steps_per_second"]["median"].get<double>(), 0.75);
    QCOMPARE(ratio_verdict(spread_of({0.8, 0.85, 0.9, 0.8, 0.85, 0.9})), std::string("faster"));
  }

  void the_peak_follows_a_touched_allocation_and_resets() {
    reset_peak_resident_memory();
    const int64_t before = peak_resident_bytes();
    {
      std::vector<char> block(64 << 20);
      for (size_t i = 0; i < block.size(); i += 4096) block[i] = 1;  // resident, not reserved
      QVERIFY(resident_bytes() >= before + (60 << 20));
    }
    const int64_t peak = peak_resident_bytes();
    QVERIFY(peak >= before + (60 << 20));
    reset_peak_resident_memory();  // the block is freed: the new peak is today's size
    QVERIFY(peak_resident_bytes() < peak - (50 << 20));
  }

  void the_machine_says_what_it_ran() {
    const auto machine = describe_bench_machine();
    for (const char* key : {"host", "cpu", "cores", "threads", "libtorch", "blas"}) {
      QVERIFY2(machine.contains(key), key);
    }
    QVERIFY(machine["cores"].get<int>() >= 1);
    QVERIFY(machine["threads"].get<int>() >= 1);
  }
};

QTEST_GUILESS_MAIN(TestBenchHarness)
#include "test_bench_harness.moc"
