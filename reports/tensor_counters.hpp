#pragma once
// A tensor-pipe kernel's (a GEMM's) counters in words: their values, and what
// they say stands between the kernel and its compute roof, from the figures
// its result carries: the tensor pipe's activity and the L2 hit rate
// (profiler/default_metrics.hpp), DRAM traffic, and ptxas' spills. Only what
// those numbers show; guesses at a cause end in '?'.
#include <string>
#include <vector>

#include "reports/roofline.hpp"
#include "tuner/result.hpp"

namespace tkbench {

// Below this L2 hit rate a tiled kernel's blocks re-read its operands from
// DRAM rather than from each other's L2 lines: the tile order (rasterization)
// is the usual suspect.
constexpr double kLowL2HitPct = 70;

// Phrases such as "tensor pipe active 71% of cycles", "L2 hit 62%: operands
// re-read from DRAM, poor rasterization (tile order)?", "ptxas spilled
// registers: 64 B spill stores, ..."; empty when the figures show nothing
// (no counters, no spills).
std::vector<std::string> tensor_loss_reasons(const Result& result, const RooflineFigures& figures);

// "tensor pipe 71% of cycles (85% while its SM had work), L2 hit 92%, DRAM
// 1.24 GB": the values, for tables and hover text; empty without them.
std::string tensor_counters_summary(const RooflineFigures& figures);

// Whether `figures` hold the tensor-pipe counters (collected for templates
// with [roofline] pipe = "tensor").
bool has_tensor_counters(const RooflineFigures& figures);

}  // namespace tkbench
