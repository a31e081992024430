#pragma once
// The CUPTI metrics tkbench collects when the user names none, chosen by the
// template's compute pipe, and the names reports read back from results.
// Both sets take one replay pass on GH100 (tests/test_cupti.cpp checks it
// offline), so counters cost one extra run of the kernel, not several.
#include <string>
#include <string_view>
#include <vector>

namespace tkbench::metric {

inline constexpr const char* kDuration = "gpu__time_duration.sum";
inline constexpr const char* kDramRead = "dram__bytes_read.sum";
inline constexpr const char* kDramWrite = "dram__bytes_write.sum";
inline constexpr const char* kDramThroughput = "dram__throughput.avg.pct_of_peak_sustained_elapsed";
inline constexpr const char* kWarpsActive = "sm__warps_active.avg.pct_of_peak_sustained_active";  // achieved occupancy
// Tensor pipe busy with HMMA/HGMMA/QGMMA (mma.sync and wgmma on 16- and 8-bit
// floats, CUPTI's own description on GH100), per SM: over the kernel's
// elapsed cycles, and over the cycles that SM had work. The gap between the
// two is SMs with nothing to do (a partial last wave, the launch ramp).
inline constexpr const char* kTensorPipeElapsed = "sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_elapsed";
inline constexpr const char* kTensorPipeActive = "sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active";
// L2 hit rate by requests: the sector-based lts__t_sector_hit_rate.pct needs
// a second replay pass on GH100 with any other metric, this one does not.
inline constexpr const char* kL2RequestHitRate = "lts__t_request_hit_rate.pct";

}  // namespace tkbench::metric

namespace tkbench {

// The default counters for a template whose [roofline] pipe is
// `compute_pipe`: "fp32" gets the memory-bound set (time, DRAM bytes and
// throughput, achieved occupancy); "tensor" adds the tensor pipe's activity
// and the L2 hit rate, what explains a GEMM's distance from its roof.
const std::vector<std::string>& default_metrics(std::string_view compute_pipe);

}  // namespace tkbench
