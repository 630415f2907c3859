#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "data/examples.h"
#include "data/input_framing.h"

namespace qn {

// Framed token ids of many texts, held flat (int32) and padded into a batch only when the
// batch is asked for, to the longest of its own texts: MNLI's pairs average some 40 tokens
// against a limit of 128 or 512, so a batch costs what its texts do.
class EncodedTexts {
 public:
  explicit EncodedTexts(int64_t pad) : pad_(pad < 0 ? 0 : pad) {}

  void add(const FramedInput& input);
  int64_t size() const { return static_cast<int64_t>(starts_.size()); }
  int64_t longest() const { return longest_; }
  int64_t largest_id() const { return largest_id_; }
  double mean_length() const;

  // The texts at `indices`, packed as data/text_inputs.h says: (batch, 3, longest) int64.
  torch::Tensor batch(const torch::Tensor& indices) const;

 private:
  int64_t pad_;
  std::vector<int32_t> ids_;
  std::vector<int64_t> starts_;
  std::vector<int32_t> lengths_, second_segments_;
  int64_t longest_ = 0;
  int64_t largest_id_ = -1;
};

// Encoded texts and their labels as a streamed Examples (its rows made per batch): the
// first `limit` (0: all).
Examples encoded_examples(std::shared_ptr<const EncodedTexts> texts, torch::Tensor labels,
                          int64_t limit = 0);

}  // namespace qn
