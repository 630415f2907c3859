// Scalar intN: codes, round-trip error, observers, agreement with LibTorch, storage size.
#include <torch/types.h>

#include <QtTest>

#include "quant/affine_quantizer.h"
#include "quant/int_quantizer.h"
#include "quant/range_observer.h"
#include "test_support.h"

using namespace qn;
using qn::test::mean_squared_error;
using qn::test::seeded_randn;

class TestAffineQuantizer : public QObject {
  Q_OBJECT

 private:
  // Heavy-tailed values: a Gaussian scale mixture (kurtosis far above 3).
  static torch::Tensor heavy_tailed(std::vector<int64_t> shape, uint64_t seed) {
    return seeded_randn(shape, seed) * torch::exp(seeded_randn(shape, seed + 1));
  }

 private Q_SLOTS:
  void codes_are_in_range_and_round_trip_within_half_a_step() {
    const auto w = seeded_randn({40, 70}, 1);
    for (int bits = 2; bits <= 8; ++bits) {
      for (auto observer : {RangeObserver::MinMax, RangeObserver::Channel}) {
        const auto params = observe_range(w, bits, observer);
        const auto codes = quantize_to_codes(w, params);
        QCOMPARE(codes.scalar_type(), torch::kUInt8);
        QVERIFY(codes.max().item<int64_t>() <= (1 << bits) - 1);
        // Min-max ranges cover every value, so each is within scale/2 of its reconstruction.
        const auto error = (dequantize_codes(codes, params) - w).abs();
        const auto scale = params.per_channel ? params.scale.view({-1, 1}) : params.scale;
        QVERIFY2((error <= scale / 2 * (1 + 1e-5)).all().item<bool>(),
                 qPrintable(QString("bits %1").arg(bits)));
        // Both ends of the range are used: nothing wasted, nothing clipped.
        QCOMPARE(codes.min().item<int64_t>(), 0);
        QCOMPARE(codes.max().item<int64_t>(), (1 << bits) - 1);
      }
    }
  }

  void zero_is_represented_exactly() {
    auto w = seeded_randn({16, 16}, 2).abs() + 0.5;  // all positive: the range is widened to 0
    w[3][4] = 0.0;
    const auto params = observe_range(w, 4, RangeObserver::MinMax);
    QCOMPARE(fake_quantize(w, params)[3][4].item<float>(), 0.0f);
  }

  void per_channel_beats_per_tensor_on_rows_of_different_scales() {
    const auto scales = torch::pow(10.0, torch::linspace(-3, 0, 64)).view({64, 1});
    const auto w = seeded_randn({64, 128}, 3) * scales;
    for (int bits : {2, 4, 8}) {
      const double per_tensor =
          mean_squared_error(fake_quantize(w, observe_range(w, bits, RangeObserver::MinMax)), w);
      const double per_channel =
          mean_squared_error(fake_quantize(w, observe_range(w, bits, RangeObserver::Channel)), w);
      QVERIFY2(per_channel < per_tensor,
               qPrintable(QString("bits %1: %2 vs %3").arg(bits).arg(per_channel).arg(per_tensor)));
    }
  }

  void histogram_mse_is_at_most_minmax_on_heavy_tailed_data() {
    for (uint64_t seed : {4, 5, 6}) {
      const auto w = heavy_tailed({256, 256}, seed);
      for (int bits : {2, 4, 8}) {
        const double minmax =
            mean_squared_error(fake_quantize(w, observe_range(w, bits, RangeObserver::MinMax)), w);
        const double histogram = mean_squared_error(
            fake_quantize(w, observe_range(w, bits, RangeObserver::Histogram)), w);
        QVERIFY2(histogram <= minmax, qPrintable(QString("seed %1 bits %2: %3 > %4")
                                                     .arg(seed)
                                                     .arg(bits)
                                                     .arg(histogram)
                                                     .arg(minmax)));
      }
    }
    // At 4 bits the clipping must pay off clearly on such tails, not just tie.
    const auto w = heavy_tailed({256, 256}, 7);
    const double minmax =
        mean_squared_error(fake_quantize(w, observe_range(w, 4, RangeObserver::MinMax)), w);
    const double histogram =
        mean_squared_error(fake_quantize(w, observe_range(w, 4, RangeObserver::Histogram)), w);
    QVERIFY(histogram < 0.5 * minmax);
  }

  void agrees_with_libtorch_fake_quantize_per_tensor() {
    const auto w = seeded_randn({33, 65}, 8) * 0.05;
    for (int bits = 2; bits <= 8; ++bits) {
      const auto params = observe_range(w, bits, RangeObserver::MinMax);
      const auto reference = torch::fake_quantize_per_tensor_affine(
          w, params.scale.item<double>(), params.zero_point.item<int64_t>(), 0, params.quant_max());
      QVERIFY(torch::equal(fake_quantize(w, params), reference));
      // The exported codes decode to exactly what training and evaluation computed.
      QVERIFY(torch::equal(dequantize_codes(quantize_to_codes(w, params), params), reference));
    }
  }

  void agrees_with_libtorch_fake_quantize_per_channel() {
    const auto w =
        seeded_randn({12, 5, 3, 3}, 9) * torch::linspace(0.01, 2, 12).view({12, 1, 1, 1});
    for (int bits = 2; bits <= 8; ++bits) {
      const auto params = observe_range(w, bits, RangeObserver::Channel);
      const auto reference = torch::fake_quantize_per_channel_affine(
          w, params.scale, params.zero_point.to(torch::kInt), /*axis=*/0, 0, params.quant_max());
      QVERIFY(torch::equal(fake_quantize(w, params), reference));
      QVERIFY(torch::equal(dequantize_codes(quantize_to_codes(w, params), params), reference));
    }
  }

  void int_tensor_counts_packed_codes_scales_and_zero_points() {
    const auto w = seeded_randn({10, 7}, 10);  // 70 weights
    const auto int4 = IntQuantizer({4, RangeObserver::MinMax}).encode(w);
    QCOMPARE(int4.storage().codes, int64_t{35});  // two a byte
    QCOMPARE(int4.storage().scales, int64_t{5});  // fp32 scale + 1-byte zero point
    const auto int3 = IntQuantizer({3, RangeObserver::Channel}).encode(w);
    QCOMPARE(int3.storage().codes, int64_t{27});   // ceil(70 * 3 / 8)
    QCOMPARE(int3.storage().scales, int64_t{50});  // ten channels
    QCOMPARE(int3.method(), std::string("int3"));
    QVERIFY(torch::equal(int3.decode(), fake_quantize(w, int3.params())));
  }

  void rejects_bad_bits_and_observers() {
    const auto w = seeded_randn({4, 4}, 11);
    QVERIFY(qn::test::throws_input_error([&] { observe_range(w, 1, RangeObserver::MinMax); },
                                         {"quant.bits", "between 2 and 8", "1"}));
    QVERIFY(qn::test::throws_input_error(
        [&] {
          IntQuantizer({9, RangeObserver::MinMax});
        },
        {"quant.bits", "9"}));
    QVERIFY(qn::test::throws_input_error([&] { parse_range_observer("percentile"); },
                                         {"percentile", "minmax"}));
  }
};

QTEST_GUILESS_MAIN(TestAffineQuantizer)
#include "test_affine_quantizer.moc"
