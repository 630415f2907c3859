#include "bench/sample_spread.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace qn {
namespace {

// P(X = i) for X ~ binomial(n, 1/2), in logarithms so that n in the thousands neither
// overflows nor underflows.
double binomial_half_probability(size_t n, size_t i) {
  return std::exp(std::lgamma(double(n) + 1) - std::lgamma(double(i) + 1) -
                  std::lgamma(double(n - i) + 1) - double(n) * std::log(2.0));
}

// Type 7 quantile (numpy's default) of sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * double(sorted.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - double(below)) * (sorted[above] - sorted[below]);
}

}  // namespace

SampleSpread spread_of(std::vector<double> samples) {
  if (samples.empty()) throw InputError("no samples to summarise");
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  SampleSpread spread;
  spread.count = n;
  spread.median = quantile(samples, 0.5);
  spread.lower_quartile = quantile(samples, 0.25);
  spread.upper_quartile = quantile(samples, 0.75);
  // Ranks are 1-based: [x_(j), x_(n+1-j)] misses the median with probability
  // 2 P(X <= j - 1). Widest first (j = 1, the extremes), narrowed while 95% still holds.
  // `below` is P(X <= j - 1), summed as j grows.
  size_t j = 1;
  double below = binomial_half_probability(n, 0);
  while (2 * (j + 1) <= n + 1 && 2 * (below + binomial_half_probability(n, j)) <= 0.05) {
    below += binomial_half_probability(n, j);
    ++j;
  }
  spread.median_low = samples[j - 1];
  spread.median_high = samples[n - j];
  spread.coverage = 1 - 2 * std::min(1.0, below);
  return spread;
}

std::vector<double> paired_ratios(const std::vector<double>& numerator,
                                  const std::vector<double>& denominator) {
  if (numerator.size() != denominator.size()) {
    throw InputError("paired ratios need as many numerators (" +
                     std::to_string(numerator.size()) + ") as denominators (" +
                     std::to_string(denominator.size()) + ")");
  }
  std::vector<double> ratios(numerator.size());
  for (size_t i = 0; i < ratios.size(); ++i) ratios[i] = numerator[i] / denominator[i];
  return ratios;
}

bool intervals_overlap(const SampleSpread& a, const SampleSpread& b) {
  return a.median_low <= b.median_high && b.median_low <= a.median_high;
}

}  // namespace qn
