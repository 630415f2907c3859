#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "io/qnz_format.h"

namespace qn {

// A tensor to write: its table entry (sections named, offsets and checksums left to the
// writer) and each section's bytes, in the same order.
struct QnzTensorBytes {
  QnzTensor entry;
  std::vector<std::string> sections;
};

// The .qnz bytes of a checkpoint (qnz_format.h): lays the sections out, computes their
// offsets and CRC-32s and writes the header. Deterministic: equal inputs, equal bytes.
std::string write_qnz(const nlohmann::json& config, const nlohmann::json& result,
                      const std::vector<QnzTensorBytes>& tensors);

// The file around a header's JSON text and a payload: prefix, deflated header, payload.
// write_qnz's last step; tests and the fuzzer use it to wrap headers write_qnz would never
// produce.
std::string assemble_qnz(const std::string& header_json, std::string_view payload);

}  // namespace qn
