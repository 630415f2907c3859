#pragma once

#include <string>
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

}  // namespace qn
