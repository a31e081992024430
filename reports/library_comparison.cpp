#include "reports/library_comparison.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace tkbench {

std::optional<double> pct_of_library(const Result& library, double kernel_median_us) {
  if (library.status != Status::ok || !library.measurement || !library.measurement->timing || kernel_median_us <= 0)
    return std::nullopt;
  return 100.0 * library.measurement->timing->median_us / kernel_median_us;
}

namespace {

// The library's timing when its spread is over kNoisyLibrarySpread; nullptr otherwise.
const TimingStats* noisy_timing(const Result& library) {
  if (library.status != Status::ok || !library.measurement || !library.measurement->timing) return nullptr;
  return library.measurement->timing->spread > kNoisyLibrarySpread ? &*library.measurement->timing : nullptr;
}

}  // namespace

std::string library_noise(const Result& library, const std::string& name) {
  const TimingStats* noisy = noisy_timing(library);
  if (!noisy) return "";
  const TimingStats& t = *noisy;
  return fmt::format("{}'s time spread {:.0f}% in this run ({:.2f} to {:.2f} µs, median {:.2f})", name, 100 * t.spread,
                     t.min_us, t.max_us, t.median_us);
}

std::string library_clock_mismatch(const Result& library, const Result& kernel, const std::string& name) {
  auto timing = [](const Result& r) -> const TimingStats* {
    return r.status == Status::ok && r.measurement && r.measurement->timing ? &*r.measurement->timing : nullptr;
  };
  const TimingStats* l = timing(library);
  const TimingStats* k = timing(kernel);
  if (!l || !k || (!l->throttled && !k->throttled)) return "";
  auto clocks = [](const TimingStats& t) {
    return t.sm_clock_start_mhz == t.sm_clock_end_mhz ? fmt::format("{} MHz", t.sm_clock_end_mhz)
                                                      : fmt::format("{}-{} MHz", t.sm_clock_start_mhz, t.sm_clock_end_mhz);
  };
  return fmt::format("{} was timed at {}, the config at {} (max {} MHz): the GPU throttled", name, clocks(*l), clocks(*k),
                     std::max(l->sm_clock_max_mhz, k->sm_clock_max_mhz));
}

std::string library_figure(const Result* library, double kernel_median_us) {
  if (!library) return "-";
  if (auto pct = pct_of_library(*library, kernel_median_us))
    return fmt::format("{:.1f}%{}", *pct, noisy_timing(*library) ? " (noisy)" : "");
  return library->status == Status::ok ? "-" : "failed";
}

}  // namespace tkbench
