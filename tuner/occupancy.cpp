#include "tuner/occupancy.hpp"

#include <algorithm>
#include <climits>

#include <fmt/format.h>

namespace tkbench {
namespace {
constexpr int kWarpSize = 32;
constexpr int kRegisterAllocationUnit = 256;  // registers, per warp
constexpr int kSubPartitions = 4;
constexpr long long kSharedAllocationUnit = 128;  // bytes

long long round_up(long long x, long long unit) { return (x + unit - 1) / unit * unit; }
}  // namespace

const std::vector<ArchLimits>& supported_archs() {
  // CUDA C Programming Guide, "Compute Capabilities" table; shared memory per
  // SM is the largest carve-out, which the occupancy API assumes by default.
  // FLOP rates per SM per clock from the architecture whitepapers (A100, GA102,
  // AD102, H100, B200: dense tensor bf16); they are leads, the datasheet peak.
  static const std::vector<ArchLimits> table = {
      {"sm_80", 64, 32, 65536, 65536, 255, 167936, 166912, 1024, 2, 128, 2048},
      {"sm_86", 48, 16, 65536, 65536, 255, 102400, 101376, 1024, 1, 256, 512},
      {"sm_89", 48, 24, 65536, 65536, 255, 102400, 101376, 1024, 1, 256, 512},
      {"sm_90", 64, 32, 65536, 65536, 255, 233472, 232448, 1024, 2, 256, 4096},
      {"sm_100", 64, 32, 65536, 65536, 255, 233472, 232448, 1024, 2, 256, 8192},
  };
  return table;
}

const ArchLimits* arch_limits(std::string_view arch) {
  // Feature suffixes (sm_90a, sm_100f) do not change the SM's limits.
  while (!arch.empty() && (arch.back() == 'a' || arch.back() == 'f')) arch.remove_suffix(1);
  for (const auto& a : supported_archs())
    if (a.arch == arch) return &a;
  return nullptr;
}

Occupancy theoretical_occupancy(const ArchLimits& arch, const OccupancyInput& in) {
  Occupancy out;
  auto cannot = [&](std::string why) {
    out.limiter = std::move(why);
    return out;
  };
  if (in.threads_per_block < 1 || in.threads_per_block > 1024)
    return cannot(fmt::format("block of {} threads cannot launch", in.threads_per_block));
  const int warps_per_block = static_cast<int>((in.threads_per_block + kWarpSize - 1) / kWarpSize);

  // Warps and block slots.
  int by_warps = arch.max_warps_per_sm / warps_per_block;
  int by_blocks = arch.max_blocks_per_sm;

  // Registers: allocated per warp; the per-block check assumes all 4
  // sub-partitions allocate at once, so the warp count rounds up to 4.
  int by_registers = INT_MAX;
  if (in.registers_per_thread > arch.max_registers_per_thread)
    return cannot(fmt::format("{} registers per thread exceed {}", in.registers_per_thread, arch.max_registers_per_thread));
  if (in.registers_per_thread > 0) {
    const long long per_warp = round_up(static_cast<long long>(in.registers_per_thread) * kWarpSize, kRegisterAllocationUnit);
    const long long per_block_assumed = per_warp * round_up(warps_per_block, kSubPartitions);
    if (per_block_assumed > arch.max_registers_per_block || per_warp * warps_per_block > arch.max_registers_per_block)
      return cannot("too many registers for one block");
    const long long warps_per_partition = (arch.registers_per_sm / kSubPartitions) / per_warp;
    by_registers = static_cast<int>(warps_per_partition * kSubPartitions / warps_per_block);
  }

  // Shared memory, including the 1 KB the driver reserves per block.
  const long long shared = round_up(in.shared_bytes_per_block + arch.reserved_shared_per_block, kSharedAllocationUnit);
  if (in.shared_bytes_per_block > arch.max_shared_per_block)
    return cannot(fmt::format("{} bytes of shared memory exceed the {} a block may have", in.shared_bytes_per_block,
                              arch.max_shared_per_block));
  int by_shared = static_cast<int>(arch.shared_per_sm / shared);

  int by_barriers = INT_MAX;
  if (in.barriers > 0) by_barriers = arch.max_blocks_per_sm * arch.barriers_per_block_slot / in.barriers;

  struct Limit { int blocks; const char* name; };
  const Limit limits[] = {{by_warps, "warps"}, {by_registers, "registers"}, {by_shared, "shared memory"},
                          {by_blocks, "blocks"}, {by_barriers, "barriers"}};
  const Limit* tightest = &limits[0];
  for (const auto& l : limits)
    if (l.blocks < tightest->blocks) tightest = &l;
  out.blocks_per_sm = std::max(0, tightest->blocks);
  out.limiter = tightest->name;
  out.active_warps = out.blocks_per_sm * warps_per_block;
  out.fraction = static_cast<double>(out.active_warps) / arch.max_warps_per_sm;
  return out;
}

}  // namespace tkbench
