#include "data/encoded_texts.h"

#include <algorithm>
#include <limits>

#include "common/error.h"
#include "data/text_inputs.h"

namespace qn {
namespace {

class EncodedRows : public RowSource {
 public:
  EncodedRows(std::shared_ptr<const EncodedTexts> texts, torch::Tensor labels)
      : texts_(std::move(texts)), labels_(std::move(labels)) {}

  int64_t size() const override { return labels_.size(0); }
  Examples rows(const torch::Tensor& indices) override {
    return {texts_->batch(indices), labels_.index_select(0, indices.cpu())};
  }
  void prefetch(const torch::Tensor&) override {}  // a batch is made in microseconds

 private:
  std::shared_ptr<const EncodedTexts> texts_;
  torch::Tensor labels_;
};

}  // namespace

void EncodedTexts::add(const FramedInput& input) {
  const auto length = static_cast<int64_t>(input.ids.size());
  for (const int64_t id : input.ids) {
    if (id < 0 || id > std::numeric_limits<int32_t>::max()) {
      throw RuntimeFailure("token id " + std::to_string(id) + " is out of range");
    }
    largest_id_ = std::max(largest_id_, id);
  }
  starts_.push_back(static_cast<int64_t>(ids_.size()));
  ids_.insert(ids_.end(), input.ids.begin(), input.ids.end());
  lengths_.push_back(static_cast<int32_t>(length));
  second_segments_.push_back(static_cast<int32_t>(input.second_segment));
  longest_ = std::max(longest_, length);
}

double EncodedTexts::mean_length() const {
  return starts_.empty() ? 0.0 : static_cast<double>(ids_.size()) / static_cast<double>(size());
}

torch::Tensor EncodedTexts::batch(const torch::Tensor& indices) const {
  const auto rows = indices.cpu().to(torch::kLong).contiguous();
  const auto* row = rows.data_ptr<int64_t>();
  const int64_t count = rows.numel();
  int64_t width = 1;
  for (int64_t i = 0; i < count; ++i) width = std::max<int64_t>(width, lengths_.at(row[i]));
  auto packed = torch::zeros({count, kTextInputRows, width}, torch::kLong);
  auto view = packed.accessor<int64_t, 3>();
  for (int64_t i = 0; i < count; ++i) {
    const auto text = row[i];
    const int64_t start = starts_[text], length = lengths_[text];
    for (int64_t t = 0; t < width; ++t) {
      const bool token = t < length;
      view[i][0][t] = token ? ids_[start + t] : pad_;
      view[i][1][t] = token ? 1 : 0;
      view[i][2][t] = token && t >= second_segments_[text] ? 1 : 0;
    }
  }
  return packed;
}

Examples encoded_examples(std::shared_ptr<const EncodedTexts> texts, torch::Tensor labels,
                          int64_t limit) {
  if (limit > 0 && limit < labels.size(0)) labels = labels.narrow(0, 0, limit);
  Examples examples;
  examples.targets = labels;
  examples.source = std::make_shared<EncodedRows>(std::move(texts), std::move(labels));
  return examples;
}

}  // namespace qn
