#include "data/examples.h"

#include "common/error.h"

namespace qn {

Examples Examples::rows(const torch::Tensor& indices) const {
  if (!streamed()) return {inputs.index_select(0, indices), targets.index_select(0, indices)};
  const auto made = source->rows(indices);
  return {made.inputs.to(device), made.targets.to(device)};
}

Examples Examples::slice(int64_t start, int64_t count) const {
  if (streamed()) return rows(torch::arange(start, start + count, torch::kLong));
  return {inputs.narrow(0, start, count), targets.narrow(0, start, count)};
}

Examples Examples::to(const torch::Device& target) const {
  if (streamed()) return {{}, targets.to(target), source, target};
  return {inputs.to(target), targets.to(target)};
}

Examples token_windows(const torch::Tensor& stream, int64_t context) {
  if (context < 1) throw InputError("a language model's context must be at least 1 token");
  const int64_t windows = (stream.numel() - 1) / context;
  if (windows < 1) {
    throw InputError("a text split of " + std::to_string(stream.numel()) +
                     " tokens is too short for one window of " + std::to_string(context) +
                     " tokens");
  }
  return {stream.narrow(0, 0, windows * context).view({windows, context}),
          stream.narrow(0, 1, windows * context).view({windows, context})};
}

}  // namespace qn
