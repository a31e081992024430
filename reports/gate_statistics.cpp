#include "reports/gate_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace tkbench {
namespace {

// SplitMix64: small, fast, and the same sequence on every platform (the
// standard library's distributions are not), so verdicts are reproducible.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n): Lemire's multiply-shift, bias below 2^-32 for our n.
  std::size_t below(std::size_t n) {
    return static_cast<std::size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

 private:
  std::uint64_t state_;
};

// The median of one bootstrap resample of `sorted` (ascending). Counting how
// often each sample was drawn and walking the counts finds the middle order
// statistics without sorting the resample: O(n) per resample.
double resampled_median(const std::vector<double>& sorted, std::vector<std::uint32_t>& counts, SplitMix64& rng) {
  const std::size_t n = sorted.size();
  counts.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) ++counts[rng.below(n)];
  const std::size_t low_rank = (n - 1) / 2, high_rank = n / 2;  // 0-based; equal for odd n
  double low = sorted.front(), high = sorted.front();
  std::size_t seen = 0;
  for (std::size_t j = 0; j < n; ++j) {
    if (counts[j] == 0) continue;
    const std::size_t first = seen;
    seen += counts[j];
    if (first <= low_rank && low_rank < seen) low = sorted[j];
    if (first <= high_rank && high_rank < seen) {
      high = sorted[j];
      break;
    }
  }
  return (low + high) / 2;
}

// Linear interpolation between order statistics ("R-7"), as profiler/statistics does.
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// z with P(N(0,1) > z) = 1 - confidence, by bisection on erfc (exact enough, no table).
double normal_quantile(double confidence) {
  double lo = 0, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    if (0.5 * std::erfc(mid / std::sqrt(2.0)) > 1 - confidence) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

bool usable_samples(const TimingSample& side, int min_samples) {
  if (side.samples_us.size() < static_cast<std::size_t>(std::max(min_samples, 2))) return false;
  return std::all_of(side.samples_us.begin(), side.samples_us.end(), [](double x) { return std::isfinite(x) && x > 0; });
}

}  // namespace

std::string_view interval_method_name(IntervalMethod method) {
  return method == IntervalMethod::bootstrap ? "bootstrap" : "normal";
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return (values[(n - 1) / 2] + values[n / 2]) / 2;
}

RatioInterval median_ratio_interval(const TimingSample& baseline, const TimingSample& current, const BootstrapOptions& options) {
  if (!(baseline.median_us > 0) || !(current.median_us > 0))
    throw std::invalid_argument("a median time is not positive");
  RatioInterval out;
  out.ratio = current.median_us / baseline.median_us;

  if (usable_samples(baseline, options.min_samples) && usable_samples(current, options.min_samples) && options.resamples > 1) {
    std::vector<double> b = baseline.samples_us, c = current.samples_us;
    std::sort(b.begin(), b.end());
    std::sort(c.begin(), c.end());
    SplitMix64 rng(options.seed);
    std::vector<std::uint32_t> counts;
    std::vector<double> ratios(static_cast<std::size_t>(options.resamples));
    for (double& r : ratios) {
      const double base = resampled_median(b, counts, rng);
      r = resampled_median(c, counts, rng) / base;
    }
    std::sort(ratios.begin(), ratios.end());
    out.method = IntervalMethod::bootstrap;
    out.lower = quantile(ratios, 1 - options.confidence);
    out.upper = quantile(ratios, options.confidence);
    return out;
  }

  // log(current / baseline) ~ N(log ratio, se_b^2 + se_c^2): a median's
  // relative standard error is the standard error of its logarithm.
  const double se = std::sqrt(baseline.rel_std_error * baseline.rel_std_error + current.rel_std_error * current.rel_std_error);
  const double z = normal_quantile(options.confidence);
  out.method = IntervalMethod::normal;
  out.lower = out.ratio * std::exp(-z * se);
  out.upper = out.ratio * std::exp(z * se);
  return out;
}

}  // namespace tkbench
