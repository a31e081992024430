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

// The figure for tables: "102.3%", "-" (not run), or "failed" (reason in the results).
std::string library_figure(const Result* library, double kernel_median_us);

}  // namespace tkbench
