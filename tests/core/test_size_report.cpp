// Exact size accounting against bytes computed by hand.
#include <torch/types.h>

#include <QtTest>

#include "quant/int_quantizer.h"
#include "quant/plain_quantizer.h"
#include "quant/pq_quantizer.h"
#include "quant/size_report.h"
#include "test_support.h"

using namespace qn;
using qn::test::seeded_randn;

class TestSizeReport : public QObject {
  Q_OBJECT

 private:
  static PqOptions pq(int64_t centroids, CodebookFormat format = CodebookFormat::Fp16) {
    PqOptions options;
    options.centroids = centroids;
    options.iterations = 2;
    options.codebook_format = format;
    return options;
  }

 private Q_SLOTS:
  void the_papers_worked_example() {
    // docs/method.md section 7.3: a 128x128x3x3 conv, K = 256, b = 9: 16,384 blocks ->
    // 16 KiB of one-byte codes + 4.5 KiB of fp16 centroids, instead of 576 KiB in fp32.
    const auto w = seeded_randn({128, 128, 3, 3}, 1);
    const auto encoded = PqQuantizer(pq(256)).encode(w, {"conv", LayerKind::Conv2d});
    QCOMPARE(encoded.storage().codes, int64_t{16384});
    QCOMPARE(encoded.storage().codebook, int64_t{4608});
    QCOMPARE(encoded.storage().total(), int64_t{20992});
    SizeReport report;
    report.add("conv.weight", encoded);
    QCOMPARE(report.fp32_bytes(), int64_t{589824});
    QCOMPARE(report.compression(), 589824.0 / 20992.0);
  }

  void a_small_model_adds_up() {
    SizeReport report;
    // fc1: Linear 300 -> 1000, int4 per channel: 300000 codes at 4 bits + 1000 x (4 + 1).
    const auto fc1 = IntQuantizer({4, RangeObserver::Channel}).encode(seeded_randn({1000, 300}, 2));
    report.add("fc1.weight", fc1);
    report.add("fc1.bias", PlainTensor(seeded_randn({1000}, 3), PlainWidth::Fp32));
    // fc2: Linear 1000 -> 64, PQ b = 8, K = 100 (7-bit codes), int8 codebook:
    // 8000 blocks x 7 bits = 7000 bytes; codebook 100 x 8 + 4 + 1 = 805 bytes.
    PqOptions options = pq(100, CodebookFormat::Int8);
    options.block_sizes = BlockSizes::uniform(8);
    const auto fc2 =
        PqQuantizer(options).encode(seeded_randn({64, 1000}, 4), {"fc2", LayerKind::Linear});
    report.add("fc2.weight", fc2);
    // A norm's weight kept in fp16: 64 x 2 bytes.
    report.add("norm.weight", PlainTensor(torch::ones({64}), PlainWidth::Fp16));

    QCOMPARE(report.entries().size(), size_t{4});
    QCOMPARE(report.entries()[0].bytes.total(), int64_t{150000 + 5000});
    QCOMPARE(report.entries()[1].bytes.plain, int64_t{4000});
    QCOMPARE(report.entries()[2].bytes.codes, int64_t{7000});
    QCOMPARE(report.entries()[2].bytes.codebook, int64_t{805});
    QCOMPARE(report.entries()[3].bytes.plain, int64_t{128});
    QCOMPARE(report.total_bytes(), int64_t{155000 + 4000 + 7805 + 128});
    QCOMPARE(report.bytes().codes, int64_t{157000});
    QCOMPARE(report.bytes().scales, int64_t{5000});
    QCOMPARE(report.fp32_bytes(), int64_t{4 * (300000 + 1000 + 64000 + 64)});
    QCOMPARE(report.compression(), 4.0 * 365064 / 166933.0);
    QCOMPARE(report.entries()[2].method, std::string("pq+int8"));
    QCOMPARE(report.entries()[2].shape, (std::vector<int64_t>{64, 1000}));
  }

  void every_quantizer_reports_what_it_stores() {
    const auto w = seeded_randn({256, 64}, 5);
    const LayerInfo layer{"fc", LayerKind::Linear};
    QCOMPARE(PlainQuantizer(PlainWidth::Fp32).compress(w, layer)->storage().total(),
             int64_t{65536});
    QCOMPARE(PlainQuantizer(PlainWidth::Fp16).compress(w, layer)->storage().total(),
             int64_t{32768});
    QCOMPARE(IntQuantizer({8, RangeObserver::MinMax}).compress(w, layer)->storage().total(),
             int64_t{16384 + 5});
    QCOMPARE(IntQuantizer({2, RangeObserver::Histogram}).compress(w, layer)->storage().total(),
             int64_t{4096 + 5});
    PqOptions options = pq(256);
    options.block_sizes = BlockSizes::uniform(4);  // 4096 blocks, 8-bit codes
    QCOMPARE(PqQuantizer(options).compress(w, layer)->storage().total(),
             int64_t{4096 + 256 * 4 * 2});
  }
};

QTEST_GUILESS_MAIN(TestSizeReport)
#include "test_size_report.moc"
