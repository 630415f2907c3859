#pragma once

#include <torch/script.h>

#include <map>
#include <memory>
#include <string>

#include "io/qnz_format.h"

namespace qn {

// TorchScript submodules that rebuild stored tensors from their .qnz sections, kept as the
// file keeps them (docs/qnz.md): packed codes as uint8 bytes, fp16 or int8 codebooks, fp32
// scales with one-byte zero points, fp16 values. Each has one method, decode(), returning
// the float32 tensor the compressed model computes with, bit for bit (the arithmetic of
// dequantize_codes and PqTensor::decode, written in TorchScript). One class per method
// kind, shared by all its instances, so the code is written into an export once.
class WeightDecoders {
 public:
  WeightDecoders();

  // The decoder of `tensor` (any method but fp32, which needs none) from `file`'s sections.
  torch::jit::Module decoder(const QnzTensor& tensor, const QnzFile& file);

  const std::shared_ptr<torch::jit::CompilationUnit>& unit() const { return unit_; }

 private:
  torch::jit::Module instance(const std::string& kind);

  std::shared_ptr<torch::jit::CompilationUnit> unit_;
  std::map<std::string, c10::ClassTypePtr> classes_;
};

}  // namespace qn
