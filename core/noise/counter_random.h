#pragma once
// Bernoulli draws that any thread can make for any index: uniform 16-bit numbers from a
// counter-based generator (word k of SplitMix64's sequence from a seed, four numbers a
// word), the seed drawn once a call from LibTorch's default CPU generator, so
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
// Word k of the stream: SplitMix64's own sequence (the state advanced by its gamma k times),
// not the mixer fed consecutive integers, which Steele et al. (2014) warn against.
inline uint64_t counter_word(uint64_t seed, uint64_t k) {
  return splitmix64(seed + k * 0x9e3779b97f4a7c15ULL);
}

inline int16_t uniform_lane(uint64_t seed, int64_t index) {
  return static_cast<int16_t>(counter_word(seed, uint64_t(index / 4)) >> (16 * (index % 4)));
}

// A number below this is selected with probability `rate` rounded to a multiple of 2^-16
// (rate in [0, 1)), as draw_weight_mask selects on any device.
inline int16_t selection_threshold(double rate) {
  return static_cast<int16_t>(
      std::clamp<int64_t>(std::llround(rate * 65536.0) - 32768, -32768, 32767));
}

}  // namespace qn
