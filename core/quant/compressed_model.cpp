#include "quant/compressed_model.h"

#include <iterator>
#include <stdexcept>

namespace qn {

void CompressedModel::add(std::string name, std::shared_ptr<const CompressedTensor> tensor) {
  for (const auto& existing : tensors_) {
    if (existing.name == name) throw std::logic_error("tensor '" + name + "' added twice");
  }
  tensors_.push_back({std::move(name), std::move(tensor)});
}

void CompressedModel::add_aliases(const std::string& name, std::vector<std::string> aliases) {
  auto& kept = aliases_[name];
  kept.insert(kept.end(), std::make_move_iterator(aliases.begin()), std::make_move_iterator(aliases.end()));
}

const std::vector<std::string>& CompressedModel::aliases(const std::string& name) const {
  static const std::vector<std::string> none;
  const auto found = aliases_.find(name);
  return found == aliases_.end() ? none : found->second;
}

SizeReport CompressedModel::size() const {
  SizeReport report;
  for (const auto& [name, tensor] : tensors_) report.add(name, *tensor);
  return report;
}

}  // namespace qn
