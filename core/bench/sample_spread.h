#pragma once

#include <cstddef>
#include <vector>

namespace qn {

// What many noisy measurements of one quantity say: their median, interquartile range and
// a distribution-free confidence interval of the median. The interval is made of two
// order statistics x_(j) and x_(n+1-j), with j the largest rank whose binomial(n, 1/2)
// tail keeps the coverage at 95% or more (Conover, Practical Nonparametric Statistics,
// 3.2): no assumption about the shape of the noise, which on a shared machine is skewed
// (a block is slowed by a neighbour far more often than it is sped up).
struct SampleSpread {
  size_t count = 0;
  double median = 0;
  double lower_quartile = 0;  // linear interpolation between order statistics
  double upper_quartile = 0;
  double median_low = 0;  // the confidence interval of the median
  double median_high = 0;
  double coverage = 0;  // that interval's confidence: >= 0.95 from 6 samples on, less below

  bool interval_contains(double value) const { return median_low <= value && value <= median_high; }
};

// The spread of `samples`; an empty list is an InputError.
SampleSpread spread_of(std::vector<double> samples);

// numerator[i] / denominator[i]: the ratio of two quantities measured in the same round,
// so that whatever slowed the machine in that round cancels. Lists of different lengths
// are an InputError.
std::vector<double> paired_ratios(const std::vector<double>& numerator,
                                  const std::vector<double>& denominator);

// Whether two measurements of one quantity agree within their stated uncertainty: their
// confidence intervals overlap.
bool intervals_overlap(const SampleSpread& a, const SampleSpread& b);

}  // namespace qn
