#include "quant/size_report.h"

namespace qn {

void SizeReport::add(const std::string& name, const CompressedTensor& tensor) {
  entries_.push_back({name, tensor.method(), tensor.shape(), tensor.numel(), tensor.storage()});
}

StorageBytes SizeReport::bytes() const {
  StorageBytes sum;
  for (const auto& entry : entries_) sum += entry.bytes;
  return sum;
}

int64_t SizeReport::fp32_bytes() const {
  int64_t sum = 0;
  for (const auto& entry : entries_) sum += entry.numel * 4;
  return sum;
}

double SizeReport::compression() const {
  const int64_t total = total_bytes();
  return total > 0 ? static_cast<double>(fp32_bytes()) / static_cast<double>(total) : 0.0;
}

}  // namespace qn
