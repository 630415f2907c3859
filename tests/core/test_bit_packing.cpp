// Dense bit packing of codes: layout, round trip, sizes, short input.
#include <torch/types.h>

#include <QtTest>

#include "quant/bit_packing.h"
#include "test_support.h"

using namespace qn;

class TestBitPacking : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void int4_puts_two_codes_a_byte_low_nibble_first() {
    const auto codes = torch::tensor({0x1, 0xA, 0xF, 0x3, 0x7}, torch::kLong);
    const auto packed = pack_bits(codes, 4);
    QCOMPARE(packed.numel(), int64_t{3});
    QCOMPARE(packed[0].item<int>(), 0xA1);
    QCOMPARE(packed[1].item<int>(), 0x3F);
    QCOMPARE(packed[2].item<int>(), 0x07);
  }

  void bits_run_least_significant_first_across_bytes() {
    // 3-bit codes 5 = 0b101, 3 = 0b011, 6 = 0b110, each least significant bit first, make the
    // stream 1,0,1, 1,1,0, 0,1,1: byte 0 holds the first eight (bit 0 first), byte 1 the last.
    const auto packed = pack_bits(torch::tensor({0b101, 0b011, 0b110}, torch::kLong), 3);
    QCOMPARE(packed.numel(), int64_t{2});
    QCOMPARE(packed[0].item<int>(), 0b10011101);
    QCOMPARE(packed[1].item<int>(), 0b1);
  }

  void round_trips_every_width_and_odd_counts() {
    for (int bits = 1; bits <= 16; ++bits) {
      for (int64_t count : {1, 7, 8, 9, 1000, 1001}) {
        auto generator = at::make_generator<at::CPUGeneratorImpl>(bits * 10000 + count);
        const auto codes = torch::randint(0, int64_t{1} << bits, {count}, generator, torch::kLong);
        const auto packed = pack_bits(codes, bits);
        QCOMPARE(packed.numel(), (count * bits + 7) / 8);
        QVERIFY(torch::equal(unpack_bits(packed, bits, count), codes));
      }
    }
  }

  void counts_bytes_exactly() {
    QCOMPARE(packed_byte_count(16384, 8), int64_t{16384});
    QCOMPARE(packed_byte_count(1000, 7), int64_t{875});
    QCOMPARE(packed_byte_count(3, 4), int64_t{2});
    QCOMPARE(packed_byte_count(100, 0), int64_t{0});
  }

  void zero_bits_packs_to_nothing() {
    const auto codes = torch::zeros({5}, torch::kLong);
    QCOMPARE(pack_bits(codes, 0).numel(), int64_t{0});
    QVERIFY(torch::equal(unpack_bits(pack_bits(codes, 0), 0, 5), codes));
  }

  void short_input_is_an_input_error() {
    const auto packed = torch::zeros({3}, torch::kUInt8);
    QVERIFY(qn::test::throws_input_error([&] { unpack_bits(packed, 4, 7); },
                                         {"3 bytes", "7 codes", "need 4"}));
  }
};

QTEST_GUILESS_MAIN(TestBitPacking)
#include "test_bit_packing.moc"
