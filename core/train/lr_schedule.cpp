#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace qn {

double scheduled_learning_rate(double base_lr, const std::string& schedule, int64_t warmup_steps,
                               int64_t step, int64_t total_steps) {
  if (step < warmup_steps)
    return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  const int64_t decay_steps = std::max<int64_t>(1, total_steps - warmup_steps);
  const double progress =
      std::min(1.0, static_cast<double>(step - warmup_steps) / static_cast<double>(decay_steps));
  if (schedule == "cosine") return base_lr * 0.5 * (1.0 + std::cos(M_PI * progress));
  if (schedule == "linear") return base_lr * (1.0 - progress);
  return base_lr;
}

}  // namespace qn
