// Quant-Noise operators: values, selection rates, gradients, unbiased proxy, exact form.
#include <torch/types.h>

#include <QtTest>
#include <cmath>

#include <ATen/Parallel.h>

#include "noise/int_noise_kernel.h"
#include "noise/noise_mask.h"
#include "noise/noise_spec.h"
#include "noise/weight_noise.h"
#include "quant/nearest_centroid.h"
#include "quant/range_observer.h"
#include "test_support.h"

using namespace qn;
using qn::test::seeded_randn;

namespace {

// |observed - expected| within 5 standard deviations of a Binomial(n, p) fraction.
bool within_binomial(double observed, double p, int64_t n) {
  return std::abs(observed - p) <= 5.0 * std::sqrt(p * (1 - p) / static_cast<double>(n));
}

// Fraction of the layout's blocks whose weights all differ from `weight` (a block is hit
// whole); -1 if some block is only partly changed.
double fraction_of_blocks_changed(const BlockLayout& layout, const torch::Tensor& noisy,
                                  const torch::Tensor& weight) {
  // Up to one rounding: the proxy multiplies by 1/(1-p) rather than dividing.
  const auto changed =
      torch::isclose(layout.to_blocks(noisy), layout.to_blocks(weight), 1e-6, 0).logical_not();
  const auto any = changed.any(1);
  // Whole blocks or nothing: a hit block has every weight changed.
  if (!torch::equal(any, changed.all(1))) return -1.0;
  return any.to(torch::kDouble).mean().item<double>();
}

}  // namespace

class TestWeightNoise : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init() { torch::manual_seed(1234); }

  void rate_zero_is_the_plain_weight() {
    const auto w = seeded_randn({32, 64}, 1);
    const BlockLayout layout({"fc", LayerKind::Linear}, {32, 64}, 8);
    const auto params = observe_range(w, 4, RangeObserver::MinMax);
    QVERIFY(torch::equal(int_noise(w, params, 0.0), w));
    QVERIFY(torch::equal(pq_proxy_noise(w, layout, 0.0), w));
    QVERIFY(torch::equal(pq_exact_noise(w, layout, seeded_randn({16, 8}, 2), 0.0), w));
  }

  void rate_one_int_noise_is_full_fake_quantization() {
    const auto w = seeded_randn({32, 64}, 3);
    for (int bits : {2, 4, 8}) {
      const auto params = observe_range(w, bits, RangeObserver::Channel);
      QVERIFY(torch::equal(int_noise(w, params, 1.0), fake_quantize(w, params)));
    }
  }

  void selections_hit_a_fraction_p() {
    const auto w = seeded_randn({256, 256}, 4);
    const BlockLayout layout({"fc", LayerKind::Linear}, {256, 256}, 8);  // 8192 blocks
    const auto params = observe_range(w, 2, RangeObserver::MinMax);
    for (double p : {0.05, 0.2, 0.5}) {
      const double blocks_hit =
          draw_block_selection(layout, p, torch::kCPU).to(torch::kDouble).mean().item<double>();
      QVERIFY2(within_binomial(blocks_hit, p, layout.block_count()),
               qPrintable(QString::number(blocks_hit)));
      const double proxy_hit =
          fraction_of_blocks_changed(layout, pq_proxy_noise(w, layout, p), w / (1 - p));
      QVERIFY2(within_binomial(proxy_hit, p, layout.block_count()),
               qPrintable(QString::number(proxy_hit)));
      // intN selects single weights; a selected weight may round to itself, so count the
      // selections through the mask directly.
      const double weights_hit = draw_weight_mask(w, p).to(torch::kDouble).mean().item<double>();
      QVERIFY(within_binomial(weights_hit, p, w.numel()));
      const auto changed = (int_noise(w, params, p) != w).to(torch::kDouble).mean().item<double>();
      QVERIFY(changed <= p + 5 * std::sqrt(p * (1 - p) / w.numel()));
      QVERIFY(changed > 0.5 * p);  // 2-bit codes move almost every selected weight
    }
  }

  // The CPU kernel (one fused pass) against the tensor-op definition: where it selects a
  // weight its correction is fake_quantize(w) - w bit for bit, per tensor and per channel,
  // at every width; it selects a fraction p; and the same seed gives the same noise
  // whatever the number of threads.
  void cpu_kernel_is_fake_quantize_where_it_selects() {
    const auto w = seeded_randn({96, 70}, 11) * 3;  // rows of 70: chunks cross channels
    for (const auto observer : {RangeObserver::MinMax, RangeObserver::Channel}) {
      for (const int bits : {2, 4, 8}) {
        const auto params = observe_range(w, bits, observer);
        const auto correction = int_noise_correction_cpu(w, params, 0.4);
        const auto selected = correction != 0;
        const auto expected = fake_quantize(w, params) - w;
        QVERIFY(torch::equal(correction.masked_select(selected), expected.masked_select(selected)));
        // A selected weight shows only if it moves (it may sit on a level): the share of
        // the weights that move that is selected is p.
        const double moved_share = (expected != 0).to(torch::kDouble).mean().item<double>();
        const double hit = selected.to(torch::kDouble).mean().item<double>();
        QVERIFY2(within_binomial(hit / moved_share, 0.4, w.numel() * moved_share),
                 qPrintable(QString("%1 bits: %2").arg(bits).arg(hit / moved_share)));
      }
    }
  }

  void cpu_kernel_repeats_from_the_seed_on_any_thread_count() {
    const auto w = seeded_randn({512, 300}, 12);
    const auto params = observe_range(w, 8, RangeObserver::MinMax);
    const int threads = at::get_num_threads();
    torch::manual_seed(7);
    const auto first = int_noise_correction_cpu(w, params, 0.5);
    at::set_num_threads(1);
    torch::manual_seed(7);
    const auto one_thread = int_noise_correction_cpu(w, params, 0.5);
    at::set_num_threads(threads);
    QVERIFY(torch::equal(first, one_thread));
    QVERIFY(!torch::equal(first, int_noise_correction_cpu(w, params, 0.5)));  // a new draw
  }

  void int_gradient_is_plain_off_the_subset_and_straight_through_on_it() {
    const auto w = seeded_randn({64, 64}, 5).requires_grad_(true);
    const auto params = observe_range(w.detach(), 3, RangeObserver::MinMax);
    const auto noisy = int_noise(w, params, 0.3);
    // L = sum(W_noisy^2) / 2: dL/dW = W_noisy under the STE; the plain gradient would be W.
    (noisy.pow(2).sum() / 2).backward();
    const auto selected = noisy.detach() != w.detach();
    QVERIFY(selected.any().item<bool>());
    QVERIFY(torch::equal(w.grad().masked_select(~selected), w.detach().masked_select(~selected)));
    QVERIFY(torch::equal(w.grad().masked_select(selected),
                         fake_quantize(w.detach(), params).masked_select(selected)));
  }

  void proxy_keeps_the_expected_weight() {
    const auto w = seeded_randn({16, 32}, 6);
    const BlockLayout layout({"fc", LayerKind::Linear}, {16, 32}, 4);
    const double p = 0.25;
    auto sum = torch::zeros_like(w);
    const int draws = 4000;
    for (int i = 0; i < draws; ++i) sum += pq_proxy_noise(w, layout, p);
    // Each entry's mean over the draws: E = W, standard error |W| sqrt(p/(1-p)/draws).
    const auto error = (sum / draws - w).abs();
    const auto tolerance = 5 * w.abs() * std::sqrt(p / (1 - p) / draws) + 1e-6;
    QVERIFY((error <= tolerance).all().item<bool>());
    // One draw: every block either zero or W / (1 - p).
    const auto noisy = pq_proxy_noise(w, layout, p);
    const auto kept = layout.to_blocks(noisy) != 0;
    QVERIFY(torch::equal(kept.any(1), kept.all(1)));
    QVERIFY(
        torch::allclose(noisy.masked_select(noisy != 0), (w / (1 - p)).masked_select(noisy != 0)));
  }

  void proxy_gradient_flows_only_through_kept_blocks() {
    const auto w = seeded_randn({16, 32}, 7).requires_grad_(true);
    const BlockLayout layout({"fc", LayerKind::Linear}, {16, 32}, 8);
    const auto noisy = pq_proxy_noise(w, layout, 0.5);
    noisy.sum().backward();
    const auto kept = noisy.detach() != 0;
    QVERIFY(torch::allclose(w.grad().masked_select(kept),
                            torch::full({kept.sum().item<int64_t>()}, 2.0)));
    QVERIFY((w.grad().masked_select(~kept) == 0).all().item<bool>());
  }

  void exact_form_replaces_selected_blocks_by_their_nearest_centroid() {
    const auto w = seeded_randn({64, 32}, 8).requires_grad_(true);
    const BlockLayout layout({"fc", LayerKind::Linear}, {64, 32}, 4);
    const auto centroids = seeded_randn({32, 4}, 9);
    const auto noisy = pq_exact_noise(w, layout, centroids, 0.4);
    const auto blocks = layout.to_blocks(w.detach());
    const auto noisy_blocks = layout.to_blocks(noisy.detach());
    const auto nearest = centroids.index_select(0, nearest_centroids(blocks, centroids).index);
    const auto replaced = (noisy_blocks != blocks).any(1);
    QVERIFY(within_binomial(replaced.to(torch::kDouble).mean().item<double>(), 0.4,
                            layout.block_count()));
    // W + (c - W) is c up to one rounding.
    QVERIFY(torch::allclose(noisy_blocks.index({replaced}), nearest.index({replaced}), 0, 1e-6));
    QVERIFY(torch::equal(noisy_blocks.index({~replaced}), blocks.index({~replaced})));
    noisy.sum().backward();  // straight through: identity everywhere
    QVERIFY(torch::equal(w.grad(), torch::ones_like(w)));
  }

  void the_weight_itself_is_never_modified() {
    const auto w = seeded_randn({32, 32}, 10);
    const auto copy = w.clone();
    const BlockLayout layout({"fc", LayerKind::Linear}, {32, 32}, 8);
    for (int i = 0; i < 5; ++i) {
      pq_proxy_noise(w, layout, 0.5);
      pq_exact_noise(w, layout, seeded_randn({8, 8}, 11), 0.5);
      int_noise(w, observe_range(w, 2, RangeObserver::MinMax), 0.5);
    }
    QVERIFY(torch::equal(w, copy));
  }

  void specs_are_validated() {
    NoiseSpec spec{NoiseMode::QuantNoise, 0.1, NoiseForm::Proxy};
    validate(spec, /*product_quantizer=*/true);
    QCOMPARE(spec.rate(), 0.1);
    QCOMPARE((NoiseSpec{NoiseMode::Ste, 0.1, NoiseForm::Exact}.rate()), 1.0);
    QCOMPARE((NoiseSpec{NoiseMode::None, 0.1, NoiseForm::Exact}.rate()), 0.0);
    QVERIFY(qn::test::throws_input_error(
        [] {
          validate({NoiseMode::QuantNoise, 1.5, NoiseForm::Exact}, false);
        },
        {"noise.p", "between 0 and 1"}));
    QVERIFY(qn::test::throws_input_error(
        [] {
          validate({NoiseMode::Ste, 0.0, NoiseForm::Proxy}, true);
        },
        {"proxy", "p < 1"}));
    QVERIFY(qn::test::throws_input_error(
        [] {
          validate({NoiseMode::QuantNoise, NAN, NoiseForm::Exact}, false);
        },
        {"noise.p"}));
    validate({NoiseMode::Ste, 0.0, NoiseForm::Proxy}, /*product_quantizer=*/false);  // no blocks
    QVERIFY(qn::test::throws_input_error([] { parse_noise_mode("qat"); }, {"noise.mode", "qat"}));
    QCOMPARE(parse_noise_mode("quant-noise"), NoiseMode::QuantNoise);
    QCOMPARE(parse_noise_form("exact"), NoiseForm::Exact);
  }
};

QTEST_GUILESS_MAIN(TestWeightNoise)
#include "test_weight_noise.moc"
