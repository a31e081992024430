#include "reports/tensor_counters.hpp"

#include <fmt/format.h>

namespace tkbench {
namespace {

// The elapsed figure counts cycles an SM had no block; the busy one does not.
// A gap this wide (percentage points) says SMs sat idle, not that they stalled.
constexpr double kIdleGapPoints = 10;
// Past this, DRAM is busy enough to hold a compute-bound kernel back.
constexpr double kBusyDramPct = 80;
// Moving more than this many times the ideal bytes is worth a word even when DRAM is not busy.
constexpr double kExtraTrafficFactor = 2;

}  // namespace

bool has_tensor_counters(const RooflineFigures& f) { return f.tensor_pipe_pct.has_value(); }

std::string tensor_counters_summary(const RooflineFigures& f) {
  if (!has_tensor_counters(f)) return "";
  std::string out = fmt::format("tensor pipe {:.0f}% of cycles", *f.tensor_pipe_pct);
  if (f.tensor_pipe_busy_pct) out += fmt::format(" ({:.0f}% while its SM had work)", *f.tensor_pipe_busy_pct);
  if (f.l2_hit_rate_pct) out += fmt::format(", L2 hit {:.0f}%", *f.l2_hit_rate_pct);
  if (f.dram_bytes > 0) out += fmt::format(", DRAM {:.2f} GB ({:.1f}x ideal)", f.dram_bytes / 1e9, 1 / f.dram_efficiency);
  return out;
}

std::vector<std::string> tensor_loss_reasons(const Result& r, const RooflineFigures& f) {
  std::vector<std::string> reasons;
  if (f.tensor_pipe_pct) {
    std::string pipe = fmt::format("tensor pipe active {:.0f}% of cycles", *f.tensor_pipe_pct);
    if (f.tensor_pipe_busy_pct && *f.tensor_pipe_busy_pct - *f.tensor_pipe_pct >= kIdleGapPoints)
      pipe += fmt::format(" ({:.0f}% of those its SM had work: SMs idle part of the time, a partial last wave?)",
                          *f.tensor_pipe_busy_pct);
    reasons.push_back(pipe);
  }
  if (f.l2_hit_rate_pct && *f.l2_hit_rate_pct < kLowL2HitPct)
    reasons.push_back(fmt::format("L2 hit {:.0f}%: operands re-read from DRAM, poor rasterization (tile order)?", *f.l2_hit_rate_pct));
  if (f.dram_throughput_pct >= kBusyDramPct)
    reasons.push_back(fmt::format("DRAM busy {:.0f}% of its peak", f.dram_throughput_pct));
  if (f.dram_efficiency > 0 && 1 / f.dram_efficiency > kExtraTrafficFactor)
    reasons.push_back(fmt::format("DRAM moved {:.1f}x the ideal bytes", 1 / f.dram_efficiency));
  if (r.compile) {
    const ResourceUsage& res = r.compile->resources;
    if (res.spill_store_bytes > 0 || res.spill_load_bytes > 0)
      reasons.push_back(fmt::format("ptxas spilled registers: {} B spill stores, {} B spill loads at {} registers",
                                    res.spill_store_bytes, res.spill_load_bytes, res.registers));
  }
  return reasons;
}

}  // namespace tkbench
