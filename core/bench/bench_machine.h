#pragma once

#include <nlohmann/json.hpp>

namespace qn {

// What a benchmark figure depends on besides the code: the host, the CPU model and core
// count, LibTorch's version and intra-op threads, and the BLAS library this process
// really loaded (Debian's alternatives can swap a reference BLAS in, about 15x slower).
nlohmann::json describe_bench_machine();

}  // namespace qn
