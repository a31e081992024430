#include "profiler/statistics.hpp"

#include <algorithm>
#include <cmath>

namespace tkbench {
namespace {
// Linear interpolation between order statistics (the "R-7" quantile).
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  double pos = q * static_cast<double>(sorted.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(pos));
  std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}
}  // namespace

SampleSummary summarize(std::vector<double> samples) {
  SampleSummary s;
  s.count = static_cast<int>(samples.size());
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  s.min = samples.front();
  s.max = samples.back();
  s.median = quantile(samples, 0.5);
  s.p10 = quantile(samples, 0.1);
  s.p90 = quantile(samples, 0.9);
  double sum = 0;
  for (double x : samples) sum += x;
  s.mean = sum / s.count;
  double var = 0;
  for (double x : samples) var += (x - s.mean) * (x - s.mean);
  s.stddev = s.count > 1 ? std::sqrt(var / (s.count - 1)) : 0;
  if (s.median > 0) {
    s.spread = (s.p90 - s.p10) / s.median;
    // Standard error of the median, 1.2533 sigma / sqrt(n), with sigma taken
    // from the median absolute deviation: one stray slow sample (a clock
    // change, another process) must not keep sampling going forever.
    std::vector<double> deviations;
    deviations.reserve(samples.size());
    for (double x : samples) deviations.push_back(std::fabs(x - s.median));
    std::sort(deviations.begin(), deviations.end());
    double sigma = 1.4826 * quantile(deviations, 0.5);
    s.rel_std_error = s.count > 1 ? 1.2533 * sigma / std::sqrt(static_cast<double>(s.count)) / s.median : 1.0;
  }
  return s;
}

}  // namespace tkbench
