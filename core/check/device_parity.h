#pragma once

#include <torch/types.h>

#include <vector>

#include "check/self_check.h"

namespace qn {

// The engine on `device` against the same engine on the CPU, from the same inputs (part of
// `qnoise check`): k-means's objective, intN fake-quantization and QAT noise bit for bit,
// the noise masks' seeding, a few training steps' losses, and a .qnz written from the
// device's model evaluated on the CPU. On the CPU they check that each computation
// repeats exactly (every tolerance 0), which cannot exercise what differs between devices:
// that takes a GPU (experiments/gpu/run.sh). What is and is not identical across devices,
// and why each tolerance:
// docs/engine.md, "The CUDA engine".
std::vector<CheckResult> run_device_parity_checks(const torch::Device& device);

}  // namespace qn
