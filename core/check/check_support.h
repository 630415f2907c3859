#pragma once
// What the self-checks (check/self_check.cpp, check/device_parity.cpp) share: seeded
// inputs drawn on the CPU, so that every device starts from the same numbers, and the
// verdict of a measured error against its tolerance.
#include <ATen/CPUGeneratorImpl.h>
#include <torch/types.h>

#include <sstream>
#include <string>
#include <vector>

#include "check/self_check.h"

namespace qn::check {

inline torch::Tensor random_normal(std::vector<int64_t> shape, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn(shape, generator, torch::kFloat);
}

inline CheckResult verdict(std::string name, double error, double tolerance) {
  std::ostringstream detail;
  detail << "max error " << error << " (tolerance " << tolerance << ")";
  return {std::move(name), error <= tolerance, detail.str()};
}

inline double max_abs_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kCPU) - b.to(torch::kCPU)).abs().max().item<double>();
}

// How many elements differ at all: 0 when the two are bit for bit the same values.
inline int64_t mismatch_count(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kCPU) != b.to(torch::kCPU)).sum().item<int64_t>();
}

}  // namespace qn::check
