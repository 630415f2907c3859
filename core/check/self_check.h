#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

namespace qn {

struct CheckResult {
  std::string name;
  bool passed = false;
  std::string detail;  // the measured discrepancy, or why it failed
};

// Numeric self-checks of the core kernels (`qnoise check`), in the spirit of llama.cpp's
// test-backend-ops: each kernel runs on `device` and is compared with an independent
// reference computed on the CPU: LibTorch's own fake-quantize, brute-force distances, a
// naive Lloyd iteration, a byte-by-byte bit packer. On a CUDA device this is CUDA against
// CPU; on the CPU it checks the fast paths against the slow ones. Then the engine on
// `device` against the engine on the CPU (check/device_parity.h).
std::vector<CheckResult> run_self_checks(const torch::Device& device);

}  // namespace qn
