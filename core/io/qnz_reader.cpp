#include "io/qnz_reader.h"

#include <zlib.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <set>

#include "common/error.h"
#include "common/file_bytes.h"
#include "io/little_endian.h"
#include "quant/code_bits.h"

namespace qn {
namespace {

constexpr int64_t kMaxDims = 8;
constexpr int64_t kMaxDim = int64_t{1} << 31;
constexpr int64_t kMaxNumel = int64_t{1} << 40;
constexpr int64_t kMaxCentroids = 65536;
constexpr size_t kMaxNameLength = 4096;

// A fuzzing build (tests/fuzz/run.sh) skips the checksums, as libpng's does: otherwise
// nearly every mutation stops at a CRC and the checks behind them are never explored.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr bool kVerifyChecksums = false;
#else
constexpr bool kVerifyChecksums = true;
#endif

[[noreturn]] void fail(const std::string& what) {
  throw InputError("not a readable .qnz checkpoint: " + what);
}

// The header's JSON from its deflated bytes. Its declared length is bounded by deflate's
// best ratio (about 1032:1) before anything is allocated.
std::string inflate(std::string_view stored, uint64_t length) {
  if (length > kQnzMaxHeaderBytes || length > 1032 * stored.size() + 64) {
    fail("the header claims to inflate to " + std::to_string(length) + " bytes, impossible from " +
         std::to_string(stored.size()) + " (limit " + std::to_string(kQnzMaxHeaderBytes) + ")");
  }
  std::string text(length, '\0');
  uLongf produced = length;
  const int status = uncompress(reinterpret_cast<Bytef*>(text.data()), &produced,
                                reinterpret_cast<const Bytef*>(stored.data()), stored.size());
  if (status != Z_OK || produced != length) {
    fail("the header does not inflate to its declared " + std::to_string(length) + " bytes");
  }
  return text;
}

// Typed access to one JSON object of the header; messages say where (`where`).
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object_.is_object()) fail(where_ + " is not a JSON object");
  }

  // Unknown keys are corruption (or a newer writer, which would have bumped the version).
  void allow_only(std::initializer_list<const char*> keys) const {
    for (const auto& item : object_.items()) {
      bool known = false;
      for (const char* key : keys) known = known || item.key() == key;
      if (!known) fail(where_ + " has an unknown key '" + item.key() + "'");
    }
  }
  bool has(const char* key) const { return object_.contains(key); }
  const nlohmann::json& at(const char* key) const {
    const auto found = object_.find(key);
    if (found == object_.end()) fail(where_ + " has no '" + key + "'");
    return *found;
  }
  // An integer in [min, max] (max >= 0), whether the JSON holds it signed or unsigned.
  int64_t integer(const char* key, int64_t min, int64_t max) const {
    const auto& value = at(key);
    if (!value.is_number_integer()) fail(where_ + ": '" + key + "' is not an integer");
    bool in_range;
    if (value.is_number_unsigned()) {
      const auto number = value.get<uint64_t>();
      in_range = number <= static_cast<uint64_t>(max) &&
                 (min <= 0 || number >= static_cast<uint64_t>(min));
    } else {
      const auto number = value.get<int64_t>();
      in_range = number >= min && number <= max;
    }
    if (!in_range) {
      fail(where_ + ": '" + key + "' = " + value.dump() + " is outside [" + std::to_string(min) +
           ", " + std::to_string(max) + "]");
    }
    return value.get<int64_t>();
  }
  std::string string(const char* key) const {
    const auto& value = at(key);
    if (!value.is_string()) fail(where_ + ": '" + key + "' is not a string");
    return value.get<std::string>();
  }
  bool boolean(const char* key) const {
    const auto& value = at(key);
    if (!value.is_boolean()) fail(where_ + ": '" + key + "' is not true or false");
    return value.get<bool>();
  }
  const std::string& where() const { return where_; }

 private:
  const nlohmann::json& object_;
  std::string where_;
};

uint64_t packed_bytes(int64_t count, int bits) {
  return (static_cast<uint64_t>(count) * static_cast<uint64_t>(bits) + 7) / 8;
}

// The sections a method stores, in order, with the bytes each must hold.
struct ExpectedSection {
  const char* kind;
  uint64_t bytes;
};

std::vector<int64_t> read_shape(const Fields& fields) {
  const auto& shape = fields.at("shape");
  if (!shape.is_array() || shape.empty() || shape.size() > kMaxDims) {
    fail(fields.where() + ": 'shape' must be a list of 1 to " + std::to_string(kMaxDims) +
         " sizes");
  }
  std::vector<int64_t> dims;
  int64_t numel = 1;
  for (const auto& dim : shape) {
    if (!dim.is_number_integer() || dim.get<int64_t>() < 1 || dim.get<int64_t>() > kMaxDim) {
      fail(fields.where() + ": 'shape' holds " + dim.dump() + ", not a size in [1, 2^31]");
    }
    dims.push_back(dim.get<int64_t>());
    if (numel > kMaxNumel / dims.back()) fail(fields.where() + ": the shape has over 2^40 values");
    numel *= dims.back();
  }
  return dims;
}

// A tensor's other names (tied weights), where it has any: names like its own.
std::vector<std::string> read_aliases(const Fields& fields) {
  if (!fields.has("aliases")) return {};
  const auto& list = fields.at("aliases");
  if (!list.is_array() || list.empty()) fail(fields.where() + ": 'aliases' is not a list of names");
  std::vector<std::string> aliases;
  for (const auto& alias : list) {
    if (!alias.is_string() || alias.get<std::string>().empty() || alias.get<std::string>().size() > kMaxNameLength) {
      fail(fields.where() + ": 'aliases' holds an empty, over-long or non-string name");
    }
    aliases.push_back(alias.get<std::string>());
  }
  return aliases;
}

// Reads a tensor's method-specific fields and returns the sections it must have.
std::vector<ExpectedSection> read_method(const Fields& fields, QnzTensor& tensor) {
  const int64_t numel = tensor.numel();
  const auto& method = tensor.method;
  if (method == "fp32" || method == "fp16") {
    fields.allow_only({"name", "method", "shape", "aliases", "sections"});
    return {{"values", static_cast<uint64_t>(numel) * (method == "fp32" ? 4 : 2)}};
  }
  if (method.size() == 4 && method.compare(0, 3, "int") == 0 && method[3] >= '2' &&
      method[3] <= '8') {
    fields.allow_only({"name", "method", "shape", "per_channel", "aliases", "sections"});
    tensor.bits = method[3] - '0';
    tensor.per_channel = fields.boolean("per_channel");
    const int64_t channels = tensor.per_channel ? tensor.shape[0] : 1;
    return {{"codes", packed_bytes(numel, tensor.bits)},
            {"scales", static_cast<uint64_t>(channels) * 5}};
  }
  if (method == "pq" || method == "pq+int8") {
    fields.allow_only(
        {"name", "method", "shape", "layer", "block_size", "centroids", "aliases", "sections"});
    tensor.layer = fields.string("layer");
    const size_t rank = tensor.layer == "conv2d" ? 4 : 2;
    if (tensor.layer != "linear" && tensor.layer != "conv2d" && tensor.layer != "embedding") {
      fail(fields.where() + ": 'layer' is '" + tensor.layer +
           "', not linear, conv2d or embedding");
    }
    if (tensor.shape.size() != rank) {
      fail(fields.where() + ": a " + tensor.layer + " weight has " + std::to_string(rank) +
           " dimensions, this one " + std::to_string(tensor.shape.size()));
    }
    const int64_t row_length = numel / tensor.shape[0];
    tensor.block_size = fields.integer("block_size", 1, row_length);
    if (row_length % tensor.block_size != 0) {
      fail(fields.where() + ": block size " + std::to_string(tensor.block_size) +
           " does not divide the row length " + std::to_string(row_length));
    }
    tensor.centroids = fields.integer("centroids", 1, kMaxCentroids);
    const int64_t blocks = numel / tensor.block_size;
    const uint64_t codebook_values = static_cast<uint64_t>(tensor.centroids * tensor.block_size);
    return {{"codes", packed_bytes(blocks, code_bits_for(tensor.centroids))},
            {"codebook", method == "pq" ? codebook_values * 2 : codebook_values + 5}};
  }
  fail(fields.where() + ": unknown method '" + method + "'");
}

// Reads one section entry and checks it continues the payload where the last one ended.
QnzSection read_section(const nlohmann::json& json, const std::string& where,
                        const ExpectedSection& expected, uint64_t offset, uint64_t payload) {
  const Fields fields(json, where + ", section '" + expected.kind + "'");
  fields.allow_only({"kind", "offset", "bytes", "crc32"});
  QnzSection section;
  section.kind = fields.string("kind");
  if (section.kind != expected.kind) {
    fail(where + ": section '" + section.kind + "' where '" + expected.kind + "' belongs");
  }
  const auto max = static_cast<int64_t>(payload);  // at most the file's size
  section.offset = static_cast<uint64_t>(fields.integer("offset", 0, max));
  section.bytes = static_cast<uint64_t>(fields.integer("bytes", 0, max));
  section.crc32 = static_cast<uint32_t>(fields.integer("crc32", 0, 0xffffffffLL));
  if (section.offset != offset) {
    fail(fields.where() + " starts at payload offset " + std::to_string(section.offset) +
         ", not " + std::to_string(offset) + " where the previous one ends");
  }
  if (section.bytes != expected.bytes) {
    fail(fields.where() + " holds " + std::to_string(section.bytes) + " bytes; the shape needs " +
         std::to_string(expected.bytes));
  }
  if (section.bytes > payload - offset) {
    fail(fields.where() + " runs past the end of the payload");
  }
  return section;
}

// The values a decoder trusts: intN scales and zero points, PQ codes and int8 codebooks.
void check_values(const QnzFile& file, const QnzTensor& tensor) {
  const std::string where = "tensor '" + tensor.name + "'";
  if (tensor.bits > 0) {
    const auto scales = file.data(tensor.section("scales"));
    const size_t channels = scales.size() / 5;
    const int max_code = (1 << tensor.bits) - 1;
    for (size_t c = 0; c < channels; ++c) {
      const float scale = read_f32(scales, 4 * c);
      if (!std::isfinite(scale) || scale <= 0) {
        fail(where + ": scale " + std::to_string(c) + " is " + std::to_string(scale) +
             ", not a positive number");
      }
      const int zero_point = static_cast<unsigned char>(scales[4 * channels + c]);
      if (zero_point > max_code) {
        fail(where + ": zero point " + std::to_string(zero_point) + " does not fit " +
             std::to_string(tensor.bits) + " bits");
      }
    }
  }
  if (tensor.centroids > 0) {
    const int bits = code_bits_for(tensor.centroids);
    if (tensor.centroids != (int64_t{1} << bits)) {  // a code can name a missing centroid
      const auto codes = file.data(tensor.section("codes"));
      const int64_t blocks = tensor.numel() / tensor.block_size;
      for (int64_t block = 0; block < blocks; ++block) {
        int64_t code = 0;
        for (int bit = 0; bit < bits; ++bit) {
          const int64_t position = block * bits + bit;
          code |= int64_t{(static_cast<unsigned char>(codes[position / 8]) >> (position % 8)) & 1}
                  << bit;
        }
        if (code >= tensor.centroids) {
          fail(where + ": block " + std::to_string(block) + " has code " + std::to_string(code) +
               ", but there are " + std::to_string(tensor.centroids) + " centroids");
        }
      }
    }
    if (tensor.method == "pq+int8") {
      const auto codebook = file.data(tensor.section("codebook"));
      const float scale = read_f32(codebook, codebook.size() - 5);
      if (!std::isfinite(scale) || scale <= 0) {
        fail(where + ": the codebook's scale is " + std::to_string(scale) +
             ", not a positive number");
      }
    }
  }
}

// The prefix's checks, then the header it points to, inflated and parsed.
nlohmann::json read_header(QnzFile& file) {
  const std::string_view view(file.bytes);
  if (view.size() < kQnzPrefixBytes) {
    fail("the file has " + std::to_string(view.size()) + " bytes, fewer than the " +
         std::to_string(kQnzPrefixBytes) + "-byte prefix (truncated, or not a checkpoint)");
  }
  if (view.substr(0, sizeof kQnzMagic) != std::string_view(kQnzMagic, sizeof kQnzMagic)) {
    fail("wrong magic bytes (not a .qnz file)");
  }
  file.version = read_u32(view, 8);
  if (file.version != kQnzVersion) {
    fail(file.version > kQnzVersion
             ? "format version " + std::to_string(file.version) +
                   " is newer than this build reads (" + std::to_string(kQnzVersion) +
                   "): update QNStudio"
             : "format version " + std::to_string(file.version) + " does not exist");
  }
  const uint64_t stored_length = read_u32(view, 12);
  const uint64_t json_length = read_u32(view, 16);
  if (stored_length > view.size() - kQnzPrefixBytes) {
    fail("truncated: the header needs " + std::to_string(stored_length) + " bytes, the file has " +
         std::to_string(view.size() - kQnzPrefixBytes) + " after the prefix");
  }
  const auto stored = view.substr(kQnzPrefixBytes, stored_length);
  if (kVerifyChecksums && qnz_crc32(stored) != read_u32(view, 20)) {
    fail("the header's CRC-32 does not match (the file is corrupted)");
  }
  file.header_bytes = kQnzPrefixBytes + stored_length;
  auto header = nlohmann::json::parse(inflate(stored, json_length), nullptr,
                                      /*allow_exceptions=*/false);
  if (header.is_discarded()) fail("the header is not valid JSON");
  return header;
}

// The tensor table: each tensor's name, method, shape and sections, which must tile the
// payload in order. Every check that bounds an allocation comes before any data is looked at.
void read_tensor_table(QnzFile& file, const nlohmann::json& table) {
  if (!table.is_array()) fail("the header's 'tensors' is not a list");
  const uint64_t decode_budget = (uint64_t{1} << 20) + kQnzMaxExpansion * file.bytes.size();
  uint64_t decoded_bytes = 0;
  uint64_t offset = 0;
  std::set<std::string> names;
  for (size_t i = 0; i < table.size(); ++i) {
    const Fields fields(table[i], "tensor " + std::to_string(i));
    QnzTensor tensor;
    tensor.name = fields.string("name");
    if (tensor.name.empty() || tensor.name.size() > kMaxNameLength) {
      fail(fields.where() + " has an empty or over-long name");
    }
    if (!names.insert(tensor.name).second) fail("tensor '" + tensor.name + "' appears twice");
    const Fields named(table[i], "tensor '" + tensor.name + "'");
    tensor.method = named.string("method");
    tensor.shape = read_shape(named);
    tensor.aliases = read_aliases(named);
    const auto expected = read_method(named, tensor);
    decoded_bytes += static_cast<uint64_t>(tensor.numel()) * 4;
    if (decoded_bytes > decode_budget) {
      fail("the tensors would decode to over " + std::to_string(kQnzMaxExpansion) +
           " times the file's size (" + named.where() + " and before); refusing the allocation");
    }
    const auto& sections = named.at("sections");
    if (!sections.is_array() || sections.size() != expected.size()) {
      fail(named.where() + ": 'sections' must list " + std::to_string(expected.size()) +
           " section(s) for method " + tensor.method);
    }
    for (size_t s = 0; s < expected.size(); ++s) {
      tensor.sections.push_back(
          read_section(sections[s], named.where(), expected[s], offset, file.payload_bytes));
      offset += tensor.sections.back().bytes;
    }
    file.tensors.push_back(std::move(tensor));
  }
  for (const auto& tensor : file.tensors) {
    for (const auto& alias : tensor.aliases) {
      if (!names.insert(alias).second) fail("tensor '" + tensor.name + "': alias '" + alias + "' names another tensor");
    }
  }
  if (offset != file.payload_bytes) {
    fail("the sections cover " + std::to_string(offset) + " of the " +
         std::to_string(file.payload_bytes) + " payload bytes");
  }
}

// Every section's checksum, then the values a decoder trusts.
void verify_payload(const QnzFile& file) {
  for (const auto& tensor : file.tensors) {
    for (const auto& section : tensor.sections) {
      if (kVerifyChecksums && qnz_crc32(file.data(section)) != section.crc32) {
        fail("tensor '" + tensor.name + "': the CRC-32 of section '" + section.kind +
             "' does not match (the file is corrupted)");
      }
    }
    check_values(file, tensor);
  }
}

}  // namespace

QnzFile parse_qnz(std::string bytes) {
  QnzFile file;
  file.bytes = std::move(bytes);
  const auto header = read_header(file);
  const Fields top(header, "the header");
  top.allow_only({"config", "result", "tensors", "payload_bytes"});
  const uint64_t available = file.bytes.size() - file.header_bytes;
  file.payload_bytes = static_cast<uint64_t>(
      top.integer("payload_bytes", 0, std::numeric_limits<int64_t>::max()));
  if (file.payload_bytes != available) {
    fail(file.payload_bytes > available
             ? "truncated: the header describes " + std::to_string(file.payload_bytes) +
                   " payload bytes, the file holds " + std::to_string(available)
             : std::to_string(available - file.payload_bytes) +
                   " unexpected bytes after the payload");
  }
  file.config = top.at("config");
  if (!file.config.is_object()) fail("the header's 'config' is not a JSON object");
  file.result = top.at("result");
  if (!file.result.is_object() && !file.result.is_null()) {
    fail("the header's 'result' is neither a JSON object nor null");
  }
  read_tensor_table(file, top.at("tensors"));
  verify_payload(file);
  return file;
}

QnzFile read_qnz_file(const std::string& path) {
  auto bytes = read_file_bytes(path);
  try {
    return parse_qnz(std::move(bytes));
  } catch (const InputError& error) {
    throw InputError("'" + path + "' is " + error.what());
  }
}

}  // namespace qn
