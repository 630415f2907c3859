// Product quantization: exact round trips, codes, codebook formats, errors naming layers.
#include <torch/types.h>

#include <QtTest>

#include "quant/pq_quantizer.h"
#include "test_support.h"

using namespace qn;
using qn::test::seeded_randn;

namespace {

// A weight of `shape` made only of `distinct` different blocks of b (as the layout cuts it),
// with values exact in fp16 so that the fp16 codebook loses nothing.
torch::Tensor few_distinct_blocks(std::vector<int64_t> shape, int64_t b, int64_t distinct,
                                  uint64_t seed) {
  int64_t numel = 1;
  for (auto extent : shape) numel *= extent;
  const auto blocks = torch::round(seeded_randn({distinct, b}, seed) * 32) / 32;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed + 1);
  auto picks = torch::randint(0, distinct, {numel / b}, generator, torch::kLong);
  picks.narrow(0, 0, distinct).copy_(torch::arange(distinct));  // every block appears
  return blocks.index_select(0, picks).reshape(shape);
}

PqOptions options_with(int64_t centroids, BlockSizes sizes,
                       CodebookFormat format = CodebookFormat::Fp16) {
  PqOptions options;
  options.centroids = centroids;
  options.block_sizes = sizes;
  options.codebook_format = format;
  options.iterations = 10;
  return options;
}

}  // namespace

class TestProductQuantizer : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void decode_of_encode_is_exact_with_at_most_k_distinct_blocks() {
    const BlockSizes sizes{/*linear=*/8, /*conv1x1=*/4, /*conv=*/9, /*embedding=*/8};
    struct Case {
      LayerInfo layer;
      std::vector<int64_t> shape;
      int64_t b, distinct, centroids;
    };
    const std::vector<Case> cases = {
        {{"fc", LayerKind::Linear}, {64, 64}, 8, 32, 32},
        {{"fc_fewer", LayerKind::Linear}, {64, 64}, 8, 20, 32},  // fewer distinct than K
        {{"pw", LayerKind::Conv2d}, {64, 32, 1, 1}, 4, 16, 16},
        {{"conv", LayerKind::Conv2d}, {32, 16, 3, 3}, 9, 24, 24},
        {{"dw", LayerKind::Conv2d}, {128, 1, 3, 3}, 9, 10, 16},
        {{"embed", LayerKind::Embedding}, {200, 16}, 8, 64, 64},
    };
    for (uint64_t seed : {1, 2, 3, 4}) {
      for (const auto& c : cases) {
        const auto w = few_distinct_blocks(c.shape, c.b, c.distinct, seed);
        auto options = options_with(c.centroids, sizes);
        options.seed = seed;
        const auto encoded = PqQuantizer(options).encode(w, c.layer);
        QVERIFY2(torch::equal(encoded.decode(), w),
                 qPrintable(QString("%1, seed %2").arg(c.layer.name.c_str()).arg(seed)));
        QCOMPARE(encoded.layout().block_size(), c.b);
      }
    }
  }

  void codes_index_the_codebook_and_decode_uses_them() {
    const auto w = seeded_randn({128, 64}, 2);
    const auto encoded =
        PqQuantizer(options_with(64, BlockSizes::uniform(8))).encode(w, {"fc", LayerKind::Linear});
    QCOMPARE(encoded.codes().numel(), int64_t{128 * 8});
    QVERIFY(encoded.codes().min().item<int64_t>() >= 0);
    QVERIFY(encoded.codes().max().item<int64_t>() < 64);
    QCOMPARE(encoded.code_bits(), 6);
    const auto blocks = encoded.layout().to_blocks(encoded.decode());
    QVERIFY(torch::equal(blocks[5],
                         encoded.codebook().centroids()[encoded.codes()[5].item<int64_t>()]));
    // A useful quantizer: far below the weight's own energy.
    QVERIFY(qn::test::mean_squared_error(encoded.decode(), w) <
            0.5 * w.pow(2).mean().item<double>());
  }

  void fp16_codebook_holds_fp16_values() {
    const auto w = seeded_randn({64, 64}, 3) * 0.01;
    const auto encoded =
        PqQuantizer(options_with(32, BlockSizes::uniform(4))).encode(w, {"fc", LayerKind::Linear});
    const auto& centroids = encoded.codebook().centroids();
    QVERIFY(torch::equal(centroids, centroids.to(torch::kHalf).to(torch::kFloat)));
    QCOMPARE(encoded.codebook().bytes(), int64_t{32 * 4 * 2});
    QCOMPARE(encoded.method(), std::string("pq"));
  }

  void int8_codebook_uses_one_byte_a_value_plus_its_scale() {
    const auto w = seeded_randn({128, 64}, 4);
    const auto fp16 =
        PqQuantizer(options_with(64, BlockSizes::uniform(8))).encode(w, {"fc", LayerKind::Linear});
    const auto int8 = PqQuantizer(options_with(64, BlockSizes::uniform(8), CodebookFormat::Int8))
                          .encode(w, {"fc", LayerKind::Linear});
    QCOMPARE(int8.method(), std::string("pq+int8"));
    QCOMPARE(int8.codebook().bytes(), int64_t{64 * 8 + 4 + 1});
    QVERIFY(int8.codebook().int8().has_value());
    QVERIFY(torch::equal(int8.codebook().centroids(), int8.codebook().int8()->decode()));
    // int8 centroids cost little accuracy next to fp16 ones.
    const double fp16_error = qn::test::mean_squared_error(fp16.decode(), w);
    const double int8_error = qn::test::mean_squared_error(int8.decode(), w);
    QVERIFY2(int8_error < 1.05 * fp16_error,
             qPrintable(QString("%1 vs %2").arg(int8_error).arg(fp16_error)));
  }

  void errors_name_the_layer() {
    const PqQuantizer quantizer(options_with(256, BlockSizes::uniform(8)));
    QVERIFY(qn::test::throws_input_error(
        [&] {
          quantizer.encode(torch::zeros({10, 16}), {"classifier", LayerKind::Linear});
        },
        {"layer 'classifier'", "256 centroids", "20 blocks of 8"}));
    const PqQuantizer own_blocks(options_with(256, BlockSizes::uniform(5)));  // not a default
    QVERIFY(qn::test::throws_input_error(
        [&] {
          own_blocks.encode(torch::zeros({64, 12}), {"fc3", LayerKind::Linear});
        },
        {"layer 'fc3'", "block size 5 does not divide in_features = 12"}));
    QVERIFY(qn::test::throws_input_error(
        [&] {
          quantizer.encode(torch::zeros({64, 12, 3}), {"conv9", LayerKind::Conv2d});
        },
        {"layer 'conv9'", "4 dimensions"}));
  }

  void code_bits_are_the_ceiling_of_log2_k() {
    QCOMPARE(code_bits_for(1), 0);
    QCOMPARE(code_bits_for(2), 1);
    QCOMPARE(code_bits_for(255), 8);
    QCOMPARE(code_bits_for(256), 8);
    QCOMPARE(code_bits_for(257), 9);
    QCOMPARE(parse_codebook_bits(8), CodebookFormat::Int8);
    QVERIFY(qn::test::throws_input_error([] { parse_codebook_bits(4); }, {"centroid_bits", "4"}));
  }
};

QTEST_GUILESS_MAIN(TestProductQuantizer)
#include "test_product_quantizer.moc"
