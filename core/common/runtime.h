#pragma once

#include <torch/types.h>

#include <string>

namespace qn {

// LibTorch starts with one intra-op thread on some machines; the engine uses every core,
// and keeps large allocations on the heap between training steps. Call once at process
// start, before any tensor work.
void init_runtime();

// Resolves "auto", "cpu" or "cuda" to a device; "cuda" without a CUDA device is an
// InputError, "auto" falls back to the CPU.
torch::Device resolve_device(const std::string& name);

// A short human description: "cpu (2 threads)" or "cuda:0 (NVIDIA H100 ...)".
std::string describe_device(const torch::Device& device);
// The same for a device name ("auto", "cpu", "cuda"), for callers that hold no tensors.
std::string describe_resolved_device(const std::string& name);

// "LibTorch 1.13.1": the engine's version, for About boxes and logs.
std::string libtorch_version();

}  // namespace qn
