#pragma once

#include <cstdint>
#include <string>

namespace qn {

// The learning rate at `step` (0-based) of `total_steps`: a linear warmup from 0 over
// `warmup_steps`, then `schedule` ("cosine" to 0, "linear" to 0, or "constant").
double scheduled_learning_rate(double base_lr, const std::string& schedule, int64_t warmup_steps,
                               int64_t step, int64_t total_steps);

}  // namespace qn
