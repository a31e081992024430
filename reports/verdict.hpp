#pragma once
// The verdict on one result, the same words in `bench`, `tune`, `report` and
// `gate`: against the roof for its own size where the GPU has a size curve
// and the result is memory-bound, else against the roof that binds at its
// arithmetic intensity (the large copy or a compute pipe).
#include <string>

#include "reports/roofline.hpp"

namespace tkbench {

// Verdict thresholds on the judged %.
constexpr double kAtLimitPct = 95, kNearLimitPct = 85;

// % of the size-aware roof when the figures have one, else % of the binding
// roof; rounded to the one decimal printed, so "95.0%" never reads "near the limit".
double judged_pct(const RooflineFigures& f);

// "latency-bound": timed within 2x of the GPU's latency floor (the launch and
// one DRAM round trip are at least half the call); otherwise "at the limit",
// "near the limit" or "far from the limit" by judged_pct. Untimed: "not timed".
std::string verdict_of(const RooflineFigures& f);

// A verdict that leaves nothing to gain: "at the limit" or "latency-bound".
bool verdict_at_limit(const std::string& verdict);

// What the judged % is of, in words: "size-aware roof" or the binding roof's name.
std::string judged_roof_name(const RooflineFigures& f);

}  // namespace tkbench
