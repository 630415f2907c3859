// Inference from PQ codes (quant/pq_lookup.h): the lookup tables compute the dense product
// by the decoded weight to float rounding, for one-byte and four-byte codes, block counts
// that are not a multiple of the four-block pass, biases, batches of any rank, strided 1x1
// convolutions and embedding rows; and the engine serves a model from them.
#include <QtTest>

#include "quant/pq_lookup.h"
#include "test_support.h"

using namespace qn;
using qn::test::max_abs_difference;
using qn::test::seeded_randn;
using qn::test::throws_input_error;

namespace {

PqTensor random_pq(LayerInfo layer, std::vector<int64_t> shape, int64_t block, int64_t centroids,
                   uint64_t seed) {
  BlockLayout layout(std::move(layer), std::move(shape), block);
  const auto codebook = Codebook::store(seeded_randn({centroids, block}, seed), CodebookFormat::Fp16);
  const auto codes = torch::randint(centroids, {layout.block_count()}, torch::kLong);
  return PqTensor(layout, codebook, codes);
}

double relative(const torch::Tensor& value, const torch::Tensor& reference) {
  return max_abs_difference(value, reference) / reference.abs().max().item<double>();
}

}  // namespace

class TestPqLookup : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { torch::manual_seed(0); }

  void a_linear_map_from_the_codes_equals_the_decoded_weights() {
    // 40 inputs in blocks of 8: five blocks, one past the four-block pass. K = 256 keeps a
    // byte a code; K = 300 needs wider codes.
    for (const int64_t centroids : {int64_t{256}, int64_t{300}}) {
      const auto pq = random_pq({"fc", LayerKind::Linear}, {600, 40}, 8, centroids, 1);
      const PqLookup lookup(pq);
      const auto input = seeded_randn({2, 3, 40}, 2);
      const auto bias = seeded_randn({600}, 3);
      const auto expected = torch::linear(input, pq.decode(), bias);
      const auto computed = lookup.linear(input, bias);
      QCOMPARE(computed.sizes(), expected.sizes());
      QVERIFY(relative(computed, expected) < 1e-5);
      QVERIFY(relative(lookup.linear(input), torch::linear(input, pq.decode())) < 1e-5);
    }
  }

  // One row at a time, as a language model's last token: the bias is added, never written.
  void a_single_row_leaves_the_bias_as_it_was() {
    const auto pq = random_pq({"fc", LayerKind::Linear}, {600, 40}, 8, 64, 14);
    const PqLookup lookup(pq);
    const auto bias = seeded_randn({600}, 15);
    const auto kept = bias.clone();
    const auto input = seeded_randn({1, 1, 40}, 16);
    const auto first = lookup.linear(input, bias);
    const auto second = lookup.linear(input, bias);
    QCOMPARE(max_abs_difference(bias, kept), 0.0);
    QCOMPARE(max_abs_difference(first, second), 0.0);
    QVERIFY(relative(first, torch::linear(input, pq.decode(), bias)) < 1e-5);
  }

  void a_strided_pointwise_convolution_from_the_codes_equals_conv2d() {
    const auto pq = random_pq({"project", LayerKind::Conv2d}, {300, 16, 1, 1}, 4, 64, 4);
    const PqLookup lookup(pq);
    const auto input = seeded_randn({2, 16, 7, 7}, 5);
    const auto bias = seeded_randn({300}, 6);
    const auto expected = torch::conv2d(input, pq.decode(), bias, /*stride=*/2);
    const auto computed = lookup.pointwise_conv(input, bias, 2);
    QCOMPARE(computed.sizes(), expected.sizes());
    QVERIFY(relative(computed, expected) < 1e-5);
  }

  void embedding_rows_from_the_codes_are_the_decoded_rows_exactly() {
    const auto pq = random_pq({"embedding", LayerKind::Embedding}, {500, 32}, 8, 256, 7);
    const PqLookup lookup(pq);
    const auto tokens = torch::tensor({{3, 499, 0}, {17, 17, 250}}, torch::kLong);
    QCOMPARE(max_abs_difference(lookup.rows(tokens), torch::embedding(pq.decode(), tokens)), 0.0);
    // A tied output projection: the same table as a linear map.
    const auto hidden = seeded_randn({2, 32}, 8);
    QVERIFY(relative(lookup.linear(hidden), torch::linear(hidden, pq.decode())) < 1e-5);
  }

  void tables_are_used_only_where_they_do_less_arithmetic() {
    // K + rows / b < rows: 3072 outputs at K = 256 and b = 8 pay; a 10-class classifier and
    // a 272-wide layer at K = 256 do not, and compute with the weight decoded for the call.
    QVERIFY(PqLookup(random_pq({"wide", LayerKind::Linear}, {3072, 64}, 8, 256, 9)).tables_pay());
    for (const int64_t rows : {int64_t{10}, int64_t{272}}) {
      const auto pq = random_pq({"narrow", LayerKind::Linear}, {rows, 512}, 8, 256, 9);
      const PqLookup lookup(pq);
      QVERIFY(!lookup.tables_pay());
      QCOMPARE(max_abs_difference(lookup.decoded(), pq.decode()), 0.0);
      const auto input = seeded_randn({3, 512}, 11);
      QVERIFY(relative(lookup.linear(input), torch::linear(input, pq.decode())) < 1e-6);
    }
    const auto narrow_conv = random_pq({"project", LayerKind::Conv2d}, {24, 96, 1, 1}, 4, 256, 12);
    const auto input = seeded_randn({2, 96, 5, 5}, 13);
    QVERIFY(relative(PqLookup(narrow_conv).pointwise_conv(input, {}, 1),
                     torch::conv2d(input, narrow_conv.decode())) < 1e-6);
  }

  void inputs_it_cannot_take_are_refused() {
    const PqLookup lookup(random_pq({"fc", LayerKind::Linear}, {16, 32}, 8, 16, 10));
    QVERIFY(throws_input_error([&] { lookup.linear(torch::randn({2, 31})); }, {"32 features"}));
    QVERIFY(throws_input_error([&] { lookup.linear(torch::randn({2, 32}, torch::kDouble)); },
                               {"float32"}));
  }
};

QTEST_GUILESS_MAIN(TestPqLookup)
#include "test_pq_lookup.moc"
