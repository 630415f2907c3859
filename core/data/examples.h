#pragma once

#include <torch/types.h>

namespace qn {

// A supervised data set as two row-aligned tensors: inputs (N, ...) and integer targets
// (N, ...). Images with labels (N, C, H, W) / (N); token windows (N, T) / (N, T), the
// targets being the inputs shifted by one token. Trainer and evaluation see only this.
struct Examples {
  torch::Tensor inputs;
  torch::Tensor targets;

  int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }
  Examples rows(const torch::Tensor& indices) const {
    return {inputs.index_select(0, indices), targets.index_select(0, indices)};
  }
  Examples slice(int64_t start, int64_t count) const {
    return {inputs.narrow(0, start, count), targets.narrow(0, start, count)};
  }
  Examples to(const torch::Device& device) const {
    return {inputs.to(device), targets.to(device)};
  }
};

// Cuts a token stream into non-overlapping windows of `context` tokens, each target the
// next token: inputs = stream[i*T, i*T+T), targets = stream[i*T+1, i*T+T+1). The tail
// that does not fill a window is dropped. Fewer than context + 1 tokens is an InputError.
Examples token_windows(const torch::Tensor& stream, int64_t context);

}  // namespace qn
