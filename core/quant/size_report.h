#pragma once

#include <string>
#include <vector>

#include "quant/compressed_tensor.h"

namespace qn {

// One tensor's line in a model's size account.
struct SizeEntry {
  std::string name;
  std::string method;
  std::vector<int64_t> shape;
  int64_t numel = 0;
  StorageBytes bytes;
};

// The exact size of a compressed model, tensor by tensor (docs/method.md section 7): the number
// the Pareto plot's x axis shows and the exported file's payload.
class SizeReport {
 public:
  void add(const std::string& name, const CompressedTensor& tensor);

  const std::vector<SizeEntry>& entries() const { return entries_; }
  StorageBytes bytes() const;
  int64_t total_bytes() const { return bytes().total(); }
  // Every tensor at 4 bytes a value: the uncompressed baseline.
  int64_t fp32_bytes() const;
  // fp32_bytes / total_bytes.
  double compression() const;

 private:
  std::vector<SizeEntry> entries_;
};

}  // namespace qn
