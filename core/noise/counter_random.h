#pragma once
// Bernoulli draws that any thread can make for any index: uniform 16-bit numbers from a
// counter-based generator (SplitMix64 of a seed plus the index of a 64-bit word, four
// numbers a word), the seed drawn once a call from LibTorch's default CPU generator, so
// that torch::manual_seed still makes a run repeat and the draws do not depend on the
// number of threads. LibTorch's own CPU generator is one serial mt19937: drawing a mask
// for a 4M-weight layer from it took 6.4 ms of a 58 ms training step on 2 cores.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace qn {

// One draw of LibTorch's default CPU generator.
uint64_t draw_counter_seed();

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Number `index` of the stream `seed`, uniform in int16.
inline int16_t uniform_lane(uint64_t seed, int64_t index) {
  return static_cast<int16_t>(splitmix64(seed + uint64_t(index / 4)) >> (16 * (index % 4)));
}

// A number below this is selected with probability `rate` rounded to a multiple of 2^-16
// (rate in [0, 1)), as draw_weight_mask selects on any device.
inline int16_t selection_threshold(double rate) {
  return static_cast<int16_t>(std::min<int64_t>(std::llround(rate * 65536.0) - 32768, 32767));
}

}  // namespace qn
