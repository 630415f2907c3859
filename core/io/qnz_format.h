#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace qn {

// The compressed checkpoint format, .qnz (specified for other implementations in
// docs/qnz.md). Little-endian throughout:
//
//   offset  bytes  field
//   0       8      magic "\x89QNZ\r\n\x1a\n" (binary, catches text-mode transfers)
//   8       4      u32 format version (kQnzVersion)
//   12      4      u32 stored header length H
//   16      4      u32 header length once inflated (the JSON's length)
//   20      4      u32 CRC-32 (zlib's) of the H stored header bytes
//   24      H      header: UTF-8 JSON (the run's config and result, the tensor table),
//                  deflated (zlib format): a ConvNet's 9 KB table becomes under 2 KB
//   24 + H  ...    payload: every tensor's sections, contiguous, in the table's order
//
// The payload is exactly the size the run accounts (SizeReport): the file is that plus
// kQnzPrefixBytes + H. Plain structures only: the reader needs no LibTorch (fast to fuzz).

inline constexpr char kQnzMagic[8] = {'\x89', 'Q', 'N', 'Z', '\r', '\n', '\x1a', '\n'};
inline constexpr uint32_t kQnzVersion = 1;
inline constexpr uint64_t kQnzPrefixBytes = 24;

// zlib's CRC-32 of `bytes`: the checksum of the header and of every section.
uint32_t qnz_crc32(std::string_view bytes);

// One section of a tensor: where its bytes are in the payload and their CRC-32.
//   "values"    fp32 or fp16 values (methods fp32, fp16)
//   "codes"     codes packed LSB-first, `bits` each (intN) or ceil(log2 K) each (PQ)
//   "scales"    intN: C fp32 scales, then C one-byte zero points
//   "codebook"  PQ: K x b fp16 centroids; pq+int8: K x b one-byte codes, fp32 scale, u8 zero point
struct QnzSection {
  std::string kind;
  uint64_t offset = 0;  // from the start of the payload
  uint64_t bytes = 0;
  uint32_t crc32 = 0;
};

// One stored tensor: a parameter or buffer of the model, named as in the model.
struct QnzTensor {
  std::string name;
  std::string method;  // fp32, fp16, int2..int8, pq, pq+int8 (CompressedTensor::method())
  std::vector<int64_t> shape;
  int bits = 0;              // intN: N
  bool per_channel = false;  // intN: one scale per output channel (axis 0), else one
  std::string layer;         // PQ: linear, conv2d or embedding (how blocks are cut)
  int64_t block_size = 0;    // PQ: b
  int64_t centroids = 0;     // PQ: K
  std::vector<QnzSection> sections;
  // Other names the model holds this tensor under (tied weights; optional, "aliases").
  std::vector<std::string> aliases;

  int64_t numel() const;
  // Bits a stored value takes: 32 or 16 (plain), N (intN), ceil(log2 K) a block (PQ).
  int stored_bits() const;
  // The section of that kind; every method's sections are checked present by the reader.
  const QnzSection& section(std::string_view kind) const;
};

// A whole checkpoint, as read (every length, offset and checksum verified) or to write.
struct QnzFile {
  uint32_t version = kQnzVersion;
  nlohmann::json config;  // the RunConfig
  nlohmann::json result;  // the run's result (metric, sizes), or null
  std::vector<QnzTensor> tensors;
  std::string bytes;            // the whole file
  uint64_t header_bytes = 0;    // kQnzPrefixBytes + the stored (deflated) header
  uint64_t payload_bytes = 0;

  std::string_view data(const QnzSection& section) const;
};

}  // namespace qn
