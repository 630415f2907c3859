#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quant/compressed_tensor.h"
#include "quant/size_report.h"

namespace qn {

struct NamedCompressedTensor {
  std::string name;  // the model's parameter or buffer name, e.g. "features.0.conv.weight"
  std::shared_ptr<const CompressedTensor> tensor;
};

// A whole model in its compressed form: every parameter and buffer the model needs, each
// compressed or stored plain. What a run produces, what a .qnz file holds, and what the
// evaluated model is rebuilt from, so the three cannot disagree.
class CompressedModel {
 public:
  void add(std::string name, std::shared_ptr<const CompressedTensor> tensor);

  // Other names the model holds tensor `name` under (tied weights: an output projection
  // that is the embedding table). The tensor is stored once; a float state dict lists it
  // under every name, as PyTorch's state_dict() of such a model does.
  void add_aliases(const std::string& name, std::vector<std::string> aliases);
  const std::vector<std::string>& aliases(const std::string& name) const;

  const std::vector<NamedCompressedTensor>& tensors() const { return tensors_; }
  // The exact size, tensor by tensor: the payload of the exported file.
  SizeReport size() const;

 private:
  std::vector<NamedCompressedTensor> tensors_;
  std::map<std::string, std::vector<std::string>> aliases_;
};

}  // namespace qn
