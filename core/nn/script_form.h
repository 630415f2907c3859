#pragma once

#include <cstdint>
#include <string>

namespace qn {

// A built-in module's forward restated in TorchScript, evaluation mode (no dropout, no
// LayerDrop, BatchNorm on its running statistics), so that a built-in model can leave
// QNStudio as a module PyTorch runs by itself (nn/module_script.h). Each module keeps its
// twin beside its C++ forward; test_compact_export compares the two on the same inputs.
class ScriptForm {
 public:
  virtual ~ScriptForm() = default;
  // The whole method, "def forward(self, input: Tensor) -> Tensor:\n    ...", calling
  // children as self.<name>.forward(...).
  virtual std::string script_forward() const = 0;
};

// A double as a TorchScript literal that parses back to the same value.
std::string script_number(double value);

// The expression for child `index` of the list module `self.<list>`: list children are
// named "0", "1", ..., which TorchScript reaches only through getattr.
std::string script_list_child(const std::string& list, int64_t index);

}  // namespace qn
