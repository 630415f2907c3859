// Block layouts of docs/method.md section 3.2: which weights each block holds, round trips,
// errors.
#include <torch/types.h>

#include <QtTest>

#include "quant/block_layout.h"
#include "test_support.h"

using namespace qn;

class TestBlockLayout : public QObject {
  Q_OBJECT

 private:
  // Weight whose every entry is its own flat index: blocks then show exactly what they hold.
  static torch::Tensor indexed(std::vector<int64_t> shape) {
    int64_t numel = 1;
    for (auto extent : shape) numel *= extent;
    return torch::arange(numel, torch::kFloat).reshape(shape);
  }

  static void check_round_trip(const BlockLayout& layout, const torch::Tensor& w) {
    const auto blocks = layout.to_blocks(w);
    QCOMPARE(blocks.size(0), layout.block_count());
    QCOMPARE(blocks.size(1), layout.block_size());
    const auto back = layout.from_blocks(blocks.clone());
    QCOMPARE(back.sizes().vec(), w.sizes().vec());
    QVERIFY(torch::equal(back, w));
  }

 private Q_SLOTS:
  void linear_blocks_run_along_in_features() {
    const auto w = indexed({6, 16});
    const BlockLayout layout({"fc", LayerKind::Linear}, {6, 16}, 4);
    QCOMPARE(layout.blocks_per_row(), int64_t{4});
    const auto blocks = layout.to_blocks(w);
    for (int64_t i = 0; i < 6; ++i) {
      for (int64_t j = 0; j < 4; ++j) {
        QVERIFY(torch::equal(blocks[i * 4 + j], w[i].narrow(0, j * 4, 4)));
      }
    }
    check_round_trip(layout, w);
  }

  void pointwise_conv_blocks_run_along_in_channels() {
    const auto w = indexed({8, 12, 1, 1});
    const BlockLayout layout({"expand", LayerKind::Conv2d}, {8, 12, 1, 1}, 4);
    const auto blocks = layout.to_blocks(w);
    QVERIFY(torch::equal(blocks[1 * 3 + 2], w[1].flatten().narrow(0, 8, 4)));
    check_round_trip(layout, w);
  }

  void kxk_conv_with_b_equal_k_squared_takes_whole_kernels() {
    const auto w = indexed({5, 4, 3, 3});
    const BlockLayout layout({"conv", LayerKind::Conv2d}, {5, 4, 3, 3}, 9);
    const auto blocks = layout.to_blocks(w);
    QCOMPARE(layout.block_count(), int64_t{20});
    for (int64_t out = 0; out < 5; ++out) {
      for (int64_t in = 0; in < 4; ++in) {
        QVERIFY(torch::equal(blocks[out * 4 + in], w[out][in].flatten()));
      }
    }
    check_round_trip(layout, w);
  }

  void kxk_conv_accepts_any_b_dividing_in_k_k() {
    const auto w = indexed({5, 4, 3, 3});
    const BlockLayout layout({"conv", LayerKind::Conv2d}, {5, 4, 3, 3}, 18);  // two kernels a block
    QCOMPARE(layout.block_count(), int64_t{10});
    const auto blocks = layout.to_blocks(w);
    QVERIFY(torch::equal(blocks[3], w[1].narrow(0, 2, 2).flatten()));
    check_round_trip(layout, w);
  }

  void depthwise_conv_has_one_kernel_a_block() {
    const auto w = indexed({32, 1, 3, 3});
    const BlockLayout layout({"dw", LayerKind::Conv2d}, {32, 1, 3, 3}, 9);
    QCOMPARE(layout.block_count(), int64_t{32});
    QVERIFY(torch::equal(layout.to_blocks(w)[7], w[7][0].flatten()));
    check_round_trip(layout, w);
  }

  void embedding_blocks_run_along_the_embedding_dimension() {
    const auto w = indexed({100, 24});
    const BlockLayout layout({"embed", LayerKind::Embedding}, {100, 24}, 8);
    QVERIFY(torch::equal(layout.to_blocks(w)[42 * 3 + 1], w[42].narrow(0, 8, 8)));
    check_round_trip(layout, w);
  }

  void block_sizes_are_chosen_by_layer_kind() {
    const BlockSizes sizes{/*linear=*/8, /*conv1x1=*/4, /*conv=*/9, /*embedding=*/16};
    QCOMPARE(sizes.for_weight(LayerKind::Linear, {10, 16}), int64_t{8});
    QCOMPARE(sizes.for_weight(LayerKind::Conv2d, {10, 16, 1, 1}), int64_t{4});
    QCOMPARE(sizes.for_weight(LayerKind::Conv2d, {10, 16, 3, 3}), int64_t{9});
    QCOMPARE(sizes.for_weight(LayerKind::Conv2d, {10, 1, 3, 3}), int64_t{9});
    QCOMPARE(sizes.for_weight(LayerKind::Embedding, {10, 16}), int64_t{16});
    QCOMPARE(sizes.describe(), std::string("b=8/4/9/16 (linear/conv1x1/conv/embedding)"));
    QCOMPARE(BlockSizes::uniform(8).describe(), std::string("b=8"));
  }

  // Any architecture compresses with the defaults: a default size that does not divide a
  // layer falls back to the largest that does, and says why; the user's own sizes do not.
  void default_block_sizes_fall_back_where_they_do_not_divide() {
    const BlockSizes defaults;
    QCOMPARE(defaults.for_weight(LayerKind::Conv2d, {40, 10, 1, 1}), int64_t{2});  // squeeze-excitation
    QCOMPARE(defaults.fallback_reason(LayerKind::Conv2d, {40, 10, 1, 1}),
             std::string("4 does not divide in_channels = 10"));
    QCOMPARE(defaults.for_weight(LayerKind::Conv2d, {144, 1, 5, 5}), int64_t{5});  // 5x5 depthwise
    QCOMPARE(defaults.for_weight(LayerKind::Conv2d, {8, 7, 1, 1}), int64_t{1});    // 7 is prime
    QCOMPARE(defaults.for_weight(LayerKind::Linear, {10, 980}), int64_t{7});
    QCOMPARE(defaults.for_weight(LayerKind::Linear, {10, 16}), int64_t{8});
    QVERIFY(defaults.fallback_reason(LayerKind::Linear, {10, 16}).empty());
    const auto own = BlockSizes::uniform(5);
    QCOMPARE(own.for_weight(LayerKind::Linear, {10, 12}), int64_t{5});  // kept: BlockLayout refuses it
    QVERIFY(own.fallback_reason(LayerKind::Linear, {10, 12}).empty());
  }

  void block_sizes_that_do_not_divide_name_the_layer() {
    QVERIFY(qn::test::throws_input_error(
        [] {
          BlockLayout({"conv2", LayerKind::Conv2d}, {64, 32, 3, 3}, 10);
        },
        {"layer 'conv2'", "block size 10 does not divide", "in_channels*k*k = 32*3*3 = 288"}));
    QVERIFY(qn::test::throws_input_error(
        [] {
          BlockLayout({"fc1", LayerKind::Linear}, {10, 30}, 8);
        },
        {"layer 'fc1'", "block size 8", "in_features = 30"}));
    QVERIFY(qn::test::throws_input_error(
        [] {
          BlockLayout({"proj", LayerKind::Conv2d}, {10, 30, 1, 1}, 4);
        },
        {"layer 'proj'", "in_channels = 30"}));
    QVERIFY(qn::test::throws_input_error(
        [] {
          BlockLayout({"tok", LayerKind::Embedding}, {10, 30}, 7);
        },
        {"layer 'tok'", "embedding_dim = 30"}));
    QVERIFY(qn::test::throws_input_error(
        [] {
          BlockLayout({"fc1", LayerKind::Linear}, {10, 32}, 0);
        },
        {"layer 'fc1'", "block size must be positive"}));
  }

  void bad_shapes_name_the_layer() {
    QVERIFY(qn::test::throws_input_error(
        [] {
          BlockLayout({"conv1", LayerKind::Conv2d}, {64, 32}, 4);
        },
        {"layer 'conv1'", "Conv2d weight must have 4 dimensions"}));
    QVERIFY(qn::test::throws_input_error(
        [] {
          BlockLayout({"fc", LayerKind::Linear}, {64, 0}, 4);
        },
        {"layer 'fc'", "positive"}));
    const BlockLayout layout({"fc2", LayerKind::Linear}, {16, 32}, 8);
    QVERIFY(qn::test::throws_input_error(
        [&] {
          layout.to_blocks(torch::zeros({32, 16}));
        },
        {"layer 'fc2'", "[32, 16]", "[16, 32]"}));
    QVERIFY(qn::test::throws_input_error(
        [&] {
          layout.from_blocks(torch::zeros({64, 4}));
        },
        {"layer 'fc2'", "64 blocks of 8"}));
  }
};

QTEST_GUILESS_MAIN(TestBlockLayout)
#include "test_block_layout.moc"
