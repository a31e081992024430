#pragma once
// How sure the gate is that one timing is slower than another: a confidence
// interval of the ratio of medians, current / baseline. docs/ci.md explains
// the choice and the measured false-positive rate.
//
// Both sides keep their samples (TimingStats::samples_us): the interval is a
// percentile bootstrap, each side resampled on its own (they are independent
// runs). Where a side has too few samples (older documents keep none), it is
// the normal approximation of the log-ratio from each median's relative
// standard error. Deterministic: a fixed seed, our own generator.
#include <cstdint>
#include <string_view>
#include <vector>

namespace tkbench {

// One side of a comparison, as a results document holds it.
struct TimingSample {
  double median_us = 0;
  double rel_std_error = 0;        // of the median (MAD-based), from the document
  std::vector<double> samples_us;  // per launch; may be empty
};

struct BootstrapOptions {
  int resamples = 2000;
  double confidence = 0.95;           // of each one-sided bound
  std::uint64_t seed = 0x7b6b62656e6368;  // fixed: the same documents always get the same verdict
  int min_samples = 10;               // fewer on a side: the normal approximation
};

enum class IntervalMethod { bootstrap, normal };
std::string_view interval_method_name(IntervalMethod method);

struct RatioInterval {
  double ratio = 1;  // current median / baseline median
  double lower = 1;  // one-sided lower bound at the confidence level (the 5th percentile at 95%)
  double upper = 1;  // one-sided upper bound (the 95th percentile)
  IntervalMethod method = IntervalMethod::bootstrap;

  // The interval of `scale` times the ratio (--compare sol: the ratio of peaks).
  RatioInterval scaled(double scale) const { return {ratio * scale, lower * scale, upper * scale, method}; }
};

// Throws std::invalid_argument when a median is not positive.
RatioInterval median_ratio_interval(const TimingSample& baseline, const TimingSample& current,
                                    const BootstrapOptions& options = {});

// The median of `values` (the mean of the middle two for an even count).
double median_of(std::vector<double> values);

}  // namespace tkbench
