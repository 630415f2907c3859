#include "quant/compressed_model.h"

#include <stdexcept>

namespace qn {

void CompressedModel::add(std::string name, std::shared_ptr<const CompressedTensor> tensor) {
  for (const auto& existing : tensors_) {
    if (existing.name == name) throw std::logic_error("tensor '" + name + "' added twice");
  }
  tensors_.push_back({std::move(name), std::move(tensor)});
}

SizeReport CompressedModel::size() const {
  SizeReport report;
  for (const auto& [name, tensor] : tensors_) report.add(name, *tensor);
  return report;
}

}  // namespace qn
