#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/run_config.h"

namespace qn {

// A sweep set up by hand around one config (the GUI's Sweep dialog): quantizers crossed
// with noise modes, rates p for Quant-Noise, linear block sizes for PQ and iPQ, and seeds.
struct SweepAxes {
  std::string name = "sweep";
  std::vector<size_t> quantizers;  // indices into quantizer_choices()
  std::vector<NoiseMode> noise_modes;
  std::vector<double> rates;           // noise.p, used by Quant-Noise
  std::vector<int64_t> linear_blocks;  // quant.block_size.linear, used by PQ and iPQ
  std::vector<int64_t> seeds;
};

struct PlannedSweep {
  std::vector<nlohmann::json> specs;  // sweep specs, ready for enqueue_sweep
  size_t run_count = 0;
};

// The quantizer choices a sweep can cross: those that fix every value they stand for
// (int8, int4, PQ, iPQ, iPQ + int8; not fp32, the baseline, nor intN).
std::vector<size_t> sweepable_quantizers();

// One spec per quantizer and noise mode, so that p varies only under Quant-Noise and
// block sizes only under codebook quantizers: no run is the duplicate of another. STE on
// PQ replaces every block by its centroid, so it uses the exact form (the proxy form
// needs p < 1). Every run gets the checks it would get before training
// (check_before_training, once for each distinct model and quantizer): an axis that cannot
// run, or no quantizer or mode at all, is an InputError naming the problem.
PlannedSweep plan_sweep(const RunConfig& base, const SweepAxes& axes);

}  // namespace qn
