#pragma once

#include <torch/nn/module.h>
#include <torch/script.h>

namespace qn {

// A built-in model (ConvNet, TransformerLM) as a TorchScript module that PyTorch runs with
// torch.jit.load alone: the same module tree and names, each submodule registering the
// same parameter and buffer tensors (shared, not copied), each forward the module's
// ScriptForm twin (nn/script_form.h) or, for LibTorch's BatchNorm2d and LayerNorm, their
// evaluation-mode functions. In evaluation mode; the result computes what the C++ model
// computes in evaluation mode. A module with no TorchScript form is an InputError naming it.
torch::jit::Module script_module(torch::nn::Module& model);

}  // namespace qn
