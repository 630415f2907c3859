#include "data/examples.h"

#include "common/error.h"

namespace qn {

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
