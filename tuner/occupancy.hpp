#pragma once
// Theoretical occupancy computed on the CPU from per-architecture limits, the
// way CUDA's occupancy calculator does (registers are allocated per warp in
// 256-register units across 4 sub-partitions; shared memory per block in
// 128-byte units plus 1 KB the driver reserves). Checked against
// cuOccupancyMaxActiveBlocksPerMultiprocessor on an H200 (tests/test_occupancy.cpp).
#include <string>
#include <string_view>
#include <vector>

namespace tkbench {

struct ArchLimits {
  std::string_view arch;          // "sm_90"
  int max_warps_per_sm;
  int max_blocks_per_sm;
  int registers_per_sm;           // 64K on every supported arch
  int max_registers_per_block;
  int max_registers_per_thread;
  long long shared_per_sm;        // largest carve-out
  long long max_shared_per_block; // with the opt-in attribute
  long long reserved_shared_per_block;
  int barriers_per_block_slot;    // hardware barriers available per resident block slot
  int fp32_flops_per_clock_per_sm;        // 2 x FP32 FMA lanes
  int tensor_bf16_flops_per_clock_per_sm; // dense bf16 with fp32 accumulation
};

// Limits for "sm_80", "sm_86", "sm_89", "sm_90", "sm_100" ("sm_90a" maps to
// "sm_90"); nullptr for others.
const ArchLimits* arch_limits(std::string_view arch);
const std::vector<ArchLimits>& supported_archs();

struct OccupancyInput {
  long long threads_per_block = 0;
  int registers_per_thread = 0;
  long long shared_bytes_per_block = 0;  // static + dynamic
  int barriers = 0;
};

struct Occupancy {
  int blocks_per_sm = 0;     // 0: the block cannot launch at all
  int active_warps = 0;
  double fraction = 0.0;     // active warps / max warps per SM
  std::string limiter;       // "warps", "registers", "shared memory", "blocks", "barriers", or why it cannot launch
};

Occupancy theoretical_occupancy(const ArchLimits& arch, const OccupancyInput& input);

}  // namespace tkbench
