#pragma once

#include <torch/types.h>

#include <memory>
#include <vector>

namespace qn {

struct Examples;

// Rows that are not held in memory but made when asked for (image files decoded and
// transformed: data/image_stream.h). Examples::rows asks; the trainer announces the rows
// it will ask for next (prefetch), so that a source can make them while it trains.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual int64_t size() const = 0;
  // The rows at `indices` (a 1-D tensor of row numbers), on the CPU.
  virtual Examples rows(const torch::Tensor& indices) = 0;
  virtual void prefetch(const torch::Tensor& indices) = 0;
};

// A supervised data set as two row-aligned tensors: inputs (N, ...) and integer targets
// (N, ...). Images with labels (N, C, H, W) / (N); token windows (N, T) / (N, T), the
// targets being the inputs shifted by one token. Trainer and evaluation see only this.
// A streamed set holds no inputs: `source` makes its rows when asked, on `device`.
struct Examples {
  torch::Tensor inputs;
  torch::Tensor targets;
  std::shared_ptr<RowSource> source = nullptr;  // streamed rows; none: `inputs` holds them
  torch::Device device = torch::kCPU;  // where a source's rows go

  bool streamed() const { return source != nullptr; }
  int64_t size() const { return streamed() ? source->size() : inputs.defined() ? inputs.size(0) : 0; }
  torch::Device rows_device() const { return streamed() ? device : inputs.device(); }
  Examples rows(const torch::Tensor& indices) const;
  Examples slice(int64_t start, int64_t count) const;
  Examples to(const torch::Device& target) const;
  // The rows that will be asked for next; a streamed set starts making them.
  void prefetch(const torch::Tensor& indices) const {
    if (streamed()) source->prefetch(indices);
  }
};

// Cuts a token stream into non-overlapping windows of `context` tokens, each target the
// next token: inputs = stream[i*T, i*T+T), targets = stream[i*T+1, i*T+T+1). The tail
// that does not fill a window is dropped. Fewer than context + 1 tokens is an InputError.
Examples token_windows(const torch::Tensor& stream, int64_t context);

}  // namespace qn
