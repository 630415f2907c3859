#pragma once

#include <torch/types.h>

namespace qn {

// Dense little-endian bit packing of unsigned codes of `bits` bits each (0 <= bits <= 16):
// code i occupies bits [i * bits, (i + 1) * bits) of the byte stream, least significant bit
// first. For bits = 4 that is two codes a byte, code 2k in the low nibble; for bits = 8,
// one byte a code. PQ codes use ceil(log2 K) bits, int weights their bit width.
// Works on whole tensors, on the codes' device.

// Bytes that `count` codes of `bits` bits occupy: ceil(count * bits / 8).
int64_t packed_byte_count(int64_t count, int bits);

// codes: any integer tensor, each value in [0, 2^bits). Returns uint8, packed_byte_count.
torch::Tensor pack_bits(const torch::Tensor& codes, int bits);

// The inverse: `count` codes as int64. Throws InputError if `packed` is too short.
torch::Tensor unpack_bits(const torch::Tensor& packed, int bits, int64_t count);

}  // namespace qn
