#include "io/qnz_writer.h"

#include <zlib.h>

#include <stdexcept>

#include "io/little_endian.h"

namespace qn {
namespace {

std::string deflate(const std::string& text) {
  uLongf length = compressBound(text.size());
  std::string out(length, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &length,
                reinterpret_cast<const Bytef*>(text.data()), text.size(), Z_BEST_COMPRESSION) != Z_OK) {
    throw std::runtime_error("zlib could not deflate the .qnz header");
  }
  out.resize(length);
  return out;
}

nlohmann::json table_entry(const QnzTensor& tensor) {
  nlohmann::json entry = {{"name", tensor.name}, {"method", tensor.method}, {"shape", tensor.shape}};
  if (tensor.bits > 0) entry["per_channel"] = tensor.per_channel;
  if (!tensor.layer.empty()) {
    entry["layer"] = tensor.layer;
    entry["block_size"] = tensor.block_size;
    entry["centroids"] = tensor.centroids;
  }
  if (!tensor.aliases.empty()) entry["aliases"] = tensor.aliases;
  auto& sections = entry["sections"] = nlohmann::json::array();
  for (const auto& section : tensor.sections) {
    sections.push_back({{"kind", section.kind},
                        {"offset", section.offset},
                        {"bytes", section.bytes},
                        {"crc32", section.crc32}});
  }
  return entry;
}

}  // namespace

std::string write_qnz(const nlohmann::json& config, const nlohmann::json& result,
                      const std::vector<QnzTensorBytes>& tensors) {
  nlohmann::json table = nlohmann::json::array();
  uint64_t offset = 0;
  for (const auto& tensor : tensors) {
    if (tensor.entry.sections.size() != tensor.sections.size()) {
      throw std::logic_error("tensor '" + tensor.entry.name + "': one byte string a section");
    }
    QnzTensor entry = tensor.entry;
    for (size_t i = 0; i < entry.sections.size(); ++i) {
      entry.sections[i].offset = offset;
      entry.sections[i].bytes = tensor.sections[i].size();
      entry.sections[i].crc32 = qnz_crc32(tensor.sections[i]);
      offset += tensor.sections[i].size();
    }
    table.push_back(table_entry(entry));
  }
  const nlohmann::json header = {
      {"config", config}, {"result", result}, {"tensors", table}, {"payload_bytes", offset}};
  std::string payload;
  payload.reserve(offset);
  for (const auto& tensor : tensors) {
    for (const auto& section : tensor.sections) payload += section;
  }
  return assemble_qnz(header.dump(), payload);
}

std::string assemble_qnz(const std::string& header_json, std::string_view payload) {
  const std::string stored = deflate(header_json);
  std::string out(kQnzMagic, sizeof kQnzMagic);
  append_u32(out, kQnzVersion);
  append_u32(out, static_cast<uint32_t>(stored.size()));
  append_u32(out, static_cast<uint32_t>(header_json.size()));
  append_u32(out, qnz_crc32(stored));
  out.reserve(out.size() + stored.size() + payload.size());
  out += stored;
  out += payload;
  return out;
}

}  // namespace qn
