#pragma once
// "% of cuBLAS": a template's time set against its [baseline] library's, both
// timed in the same run by the same worker and rule. Above 100%: the kernel
// is faster than the library.
#include <optional>
#include <string>

#include "tuner/result.hpp"

namespace tkbench {

// The library's median over the kernel's, in percent; nullopt when the
// library has no timing (it failed or was not run).
std::optional<double> pct_of_library(const Result& library, double kernel_median_us);

// A library time whose spread (p10 to p90 over the median) is above this is
// flagged rather than trusted: runs are 0.3-7% at skinny GEMM shapes on an
// H100, and one cuBLAS time there once spread 53% (92 to 212 µs, median 101,
// where minutes before it timed 46 µs).
constexpr double kNoisyLibrarySpread = 0.2;

// Why the library's time is not to be trusted ("cuBLAS's time spread 53% in
// this run"), or "" when it is (or when it has no time).
std::string library_noise(const Result& library, const std::string& name);

// Why the ratio sets two different clocks side by side ("cuBLAS was timed at
// 1530 MHz, the config at 1965 MHz (max 1980)"): either timing throttled even
// after resting (profiler/throttle_guard.hpp). "" when both ran unthrottled.
std::string library_clock_mismatch(const Result& library, const Result& kernel, const std::string& name);

// The figure for tables: "102.3%", "218.0% (noisy)" (see library_noise), "-"
// (not run), or "failed" (reason in the results).
std::string library_figure(const Result* library, double kernel_median_us);

}  // namespace tkbench
