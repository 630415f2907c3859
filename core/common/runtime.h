#pragma once

#include <torch/types.h>

#include <string>

namespace qn {

// LibTorch starts with one intra-op thread on some machines; the engine uses every core,
// and keeps large allocations on the heap between training steps. Call once at process
// start, before any tensor work.
void init_runtime();

// Lowers the calling thread's scheduling priority (nice +10 on Linux), and with it that of
// the threads it starts from then on, such as its OpenMP team: for an engine thread in an
// interactive program, so that the UI thread gets a core the moment it wakes while
// training keeps every core busy. The engine loses nothing while the UI is idle.
void lower_thread_priority();

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
