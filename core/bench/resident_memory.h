#pragma once
// This process's resident memory, from Linux's /proc/self/status: what `qnoise bench`
// reports as the memory a training step or a k-means takes. The peak (VmHWM) can be reset
// (/proc/self/clear_refs, Linux 4.0 and later), so that one process measures the peak of
// one phase: reset, run, read.
#include <cstdint>

namespace qn {

int64_t resident_bytes();       // VmRSS now
// RssAnon now: the resident memory the process allocated (data, not the pages of its
// libraries' code, which count in VmRSS as the first call of each kernel reads them in).
int64_t anonymous_resident_bytes();
int64_t peak_resident_bytes();  // VmHWM: the most resident since start or the last reset

// Sets the peak to the present resident size; a RuntimeFailure when the kernel refuses.
void reset_peak_resident_memory();

}  // namespace qn
