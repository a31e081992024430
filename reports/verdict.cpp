#include "reports/verdict.hpp"

#include <cmath>

namespace tkbench {

double judged_pct(const RooflineFigures& f) {
  const double pct = f.has_size_roof() ? f.pct_of_size_roof : f.pct_of_bound;
  return std::round(pct * 10) / 10;
}

std::string verdict_of(const RooflineFigures& f) {
  if (f.seconds <= 0) return "not timed";
  const double pct = judged_pct(f);
  if (f.latency_bound) return "latency-bound";
  return pct >= kAtLimitPct ? "at the limit" : pct >= kNearLimitPct ? "near the limit" : "far from the limit";
}

bool verdict_at_limit(const std::string& verdict) { return verdict == "at the limit" || verdict == "latency-bound"; }

std::string judged_roof_name(const RooflineFigures& f) { return f.has_size_roof() ? "size-aware" : f.bound_by; }

}  // namespace tkbench
