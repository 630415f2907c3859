#include "common/runtime.h"

#include <torch/version.h>

#include <ATen/Parallel.h>
#include <malloc.h>
#include <torch/cuda.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <climits>
#include <thread>

#include "common/error.h"

namespace qn {

void init_runtime() {
  // glibc serves large blocks with mmap and unmaps them on free, so every training step
  // faulted its activations in afresh: 40% of a ConvNet step went to page faults. Keep
  // blocks up to glibc's limit (32 MiB) on the heap and never trim it.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
  const unsigned cores = std::thread::hardware_concurrency();
  if (cores > 0 && at::get_num_threads() < static_cast<int>(cores)) {
    at::set_num_threads(static_cast<int>(cores));
  }
}

void lower_thread_priority() {
#ifdef __linux__
  // Linux keeps a nice value per thread: PRIO_PROCESS with a thread id sets that thread's.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
}

torch::Device resolve_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available()) {
      throw InputError("device 'cuda' was asked for, but no CUDA device is available");
    }
    return torch::Device(torch::kCUDA, 0);
  }
  if (name == "auto")
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::kCPU;
  throw InputError("unknown device '" + name + "' (expected auto, cpu or cuda)");
}

std::string describe_device(const torch::Device& device) {
  if (device.is_cuda()) return device.str();
  return "cpu (" + std::to_string(at::get_num_threads()) + " threads)";
}

std::string describe_resolved_device(const std::string& name) {
  return describe_device(resolve_device(name));
}

std::string libtorch_version() { return "LibTorch " TORCH_VERSION; }

}  // namespace qn
