#include "noise/noise_mask.h"

#include <ATen/Parallel.h>

#include <limits>

#include "noise/counter_random.h"

namespace qn {

torch::Tensor draw_block_selection(const BlockLayout& layout, double rate,
                                   const torch::Device& device) {
  if (!device.is_cpu() || rate >= 1.0) {
    return torch::rand({layout.block_count()}, torch::TensorOptions().device(device)) < rate;
  }
  // On the CPU from the counter-based stream, in parallel: torch::rand's serial generator
  // took 2.6 ms for the 524,288 blocks of a 4096x1024 weight.
  auto selection = torch::empty({layout.block_count()}, torch::kBool);
  auto* selected = selection.data_ptr<bool>();
  const uint64_t seed = draw_counter_seed();
  const int16_t threshold = selection_threshold(rate);
  at::parallel_for(0, layout.block_count(), 4096, [&](int64_t begin, int64_t end) {
    for (int64_t block = begin; block < end; ++block) {
      selected[block] = uniform_lane(seed, block) < threshold;
    }
  });
  return selection;
}

torch::Tensor draw_weight_mask(const torch::Tensor& weight, double rate) {
  if (rate >= 1.0) return torch::ones(weight.sizes(), weight.options().dtype(torch::kBool));
  const int64_t count = weight.numel();
  const auto words = torch::empty({(count + 3) / 4}, weight.options().dtype(torch::kLong))
                         .random_(std::numeric_limits<int64_t>::min(), c10::optional<int64_t>());
  const auto lanes = words.view(torch::kShort).narrow(0, 0, count);  // uniform in int16
  const int64_t threshold = selection_threshold(rate);
  return lanes.lt(threshold).view(weight.sizes());
}

}  // namespace qn
