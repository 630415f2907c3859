#include "quant/block_layout.h"

#include <torch/types.h>

#include <functional>
#include <numeric>
#include <sstream>

#include "common/error.h"

namespace qn {
namespace {

bool is_pointwise_conv(const std::vector<int64_t>& shape) {
  return shape.size() == 4 && shape[2] == 1 && shape[3] == 1;
}

std::string describe_layer(const LayerInfo& layer, const std::vector<int64_t>& shape) {
  return "layer '" + layer.name + "' (" + to_string(layer.kind) + " " + shape_string(shape) + ")";
}

// What a row of this layer is made of, for the divisibility message.
std::string row_description(LayerKind kind, const std::vector<int64_t>& shape) {
  switch (kind) {
    case LayerKind::Linear:
      return "in_features = " + std::to_string(shape[1]);
    case LayerKind::Embedding:
      return "embedding_dim = " + std::to_string(shape[1]);
    case LayerKind::Conv2d:
      if (is_pointwise_conv(shape)) return "in_channels = " + std::to_string(shape[1]);
      return "in_channels*k*k = " + std::to_string(shape[1]) + "*" + std::to_string(shape[2]) +
             "*" + std::to_string(shape[3]) + " = " +
             std::to_string(shape[1] * shape[2] * shape[3]);
  }
  return "?";
}

size_t expected_rank(LayerKind kind) { return kind == LayerKind::Conv2d ? 4 : 2; }

// A row of the weight: everything but the output dimension.
int64_t row_length(const std::vector<int64_t>& shape) {
  if (shape.size() < 2) return 0;
  return std::accumulate(shape.begin() + 1, shape.end(), int64_t{1}, std::multiplies<>());
}

}  // namespace

std::string shape_string(const std::vector<int64_t>& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

int64_t BlockSizes::asked_for(LayerKind kind, const std::vector<int64_t>& shape) const {
  switch (kind) {
    case LayerKind::Linear:
      return linear;
    case LayerKind::Embedding:
      return embedding;
    case LayerKind::Conv2d:
      return is_pointwise_conv(shape) ? conv1x1 : conv;
  }
  return linear;
}

int64_t BlockSizes::for_weight(LayerKind kind, const std::vector<int64_t>& shape) const {
  const int64_t asked = asked_for(kind, shape);
  const int64_t row = row_length(shape);
  // A size of the user's own is theirs: BlockLayout refuses it, naming the layer.
  const bool default_size = asked == BlockSizes{}.asked_for(kind, shape);
  if (asked < 1 || row < 1 || !default_size) return asked;
  int64_t size = std::min(asked, row);
  while (row % size != 0) --size;
  return size;
}

std::string BlockSizes::fallback_reason(LayerKind kind, const std::vector<int64_t>& shape) const {
  const int64_t asked = asked_for(kind, shape);
  if (asked < 1 || row_length(shape) < 1 || for_weight(kind, shape) == asked) return "";
  return std::to_string(asked) + " does not divide " + row_description(kind, shape);
}

std::string BlockSizes::describe() const {
  if (linear == conv1x1 && linear == conv && linear == embedding) {
    return "b=" + std::to_string(linear);
  }
  return "b=" + std::to_string(linear) + "/" + std::to_string(conv1x1) + "/" +
         std::to_string(conv) + "/" + std::to_string(embedding) +
         " (linear/conv1x1/conv/embedding)";
}

BlockLayout::BlockLayout(LayerInfo layer, std::vector<int64_t> weight_shape, int64_t block_size)
    : layer_(std::move(layer)), weight_shape_(std::move(weight_shape)), block_size_(block_size) {
  const auto what = describe_layer(layer_, weight_shape_);
  if (weight_shape_.size() != expected_rank(layer_.kind)) {
    throw InputError(what + ": a " + to_string(layer_.kind) + " weight must have " +
                     std::to_string(expected_rank(layer_.kind)) + " dimensions");
  }
  for (const int64_t extent : weight_shape_) {
    if (extent <= 0) throw InputError(what + ": every dimension must be positive");
  }
  if (block_size_ <= 0) {
    throw InputError(what + ": block size must be positive (got " + std::to_string(block_size_) +
                     ")");
  }
  row_length_ = std::accumulate(weight_shape_.begin() + 1, weight_shape_.end(), int64_t{1},
                                std::multiplies<>());
  if (row_length_ % block_size_ != 0) {
    throw InputError(what + ": block size " + std::to_string(block_size_) + " does not divide " +
                     row_description(layer_.kind, weight_shape_));
  }
}

torch::Tensor BlockLayout::to_blocks(const torch::Tensor& weight) const {
  if (weight.sizes().vec() != weight_shape_) {
    throw InputError("layer '" + layer_.name + "': weight has shape " +
                     shape_string(weight.sizes().vec()) + " but its layout expects " +
                     shape_string(weight_shape_));
  }
  return weight.reshape({block_count(), block_size_});
}

torch::Tensor BlockLayout::from_blocks(const torch::Tensor& blocks) const {
  if (blocks.dim() != 2 || blocks.size(0) != block_count() || blocks.size(1) != block_size_) {
    throw InputError("layer '" + layer_.name + "': blocks have shape " +
                     shape_string(blocks.sizes().vec()) + " but the layout has " +
                     std::to_string(block_count()) + " blocks of " + std::to_string(block_size_));
  }
  return blocks.reshape(weight_shape_);
}

}  // namespace qn
