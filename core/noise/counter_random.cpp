#include "noise/counter_random.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

namespace qn {

uint64_t draw_counter_seed() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

}  // namespace qn
