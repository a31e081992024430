#include <catch2/catch.hpp>

#include <cuda_occupancy.h>  // CUDA's own header-only calculator: the oracle

#include "tuner/occupancy.hpp"

using namespace tkbench;

namespace {

int oracle_blocks(const ArchLimits& arch, const OccupancyInput& in) {
  int major = 0, minor = 0;
  std::string digits(arch.arch.substr(3));
  major = std::stoi(digits.substr(0, digits.size() - 1));
  minor = digits.back() - '0';
  cudaOccDeviceProp p;
  p.computeMajor = major;
  p.computeMinor = minor;
  p.maxThreadsPerBlock = 1024;
  p.maxThreadsPerMultiprocessor = arch.max_warps_per_sm * 32;
  p.regsPerBlock = arch.max_registers_per_block;
  p.regsPerMultiprocessor = arch.registers_per_sm;
  p.warpSize = 32;
  p.sharedMemPerBlock = 48 * 1024;
  p.sharedMemPerMultiprocessor = static_cast<size_t>(arch.shared_per_sm);
  p.numSms = 100;
  p.sharedMemPerBlockOptin = static_cast<size_t>(arch.max_shared_per_block);
  p.reservedSharedMemPerBlock = static_cast<size_t>(arch.reserved_shared_per_block);
  cudaOccFuncAttributes a;
  a.maxThreadsPerBlock = 1024;
  a.numRegs = in.registers_per_thread;
  a.sharedSizeBytes = 0;
  a.partitionedGCConfig = PARTITIONED_GC_OFF;
  // Shared memory as dynamic with the opt-in limit raised, as the runner will do.
  a.shmemLimitConfig = FUNC_SHMEM_LIMIT_OPTIN;
  a.maxDynamicSharedSizeBytes = static_cast<size_t>(in.shared_bytes_per_block);
  a.numBlockBarriers = in.barriers;
  cudaOccDeviceState state;
  cudaOccResult result;
  auto rc = cudaOccMaxActiveBlocksPerMultiprocessor(&result, &p, &a, &state, static_cast<int>(in.threads_per_block),
                                                    static_cast<size_t>(in.shared_bytes_per_block));
  return rc == CUDA_OCC_SUCCESS ? result.activeBlocksPerMultiprocessor : 0;
}

}  // namespace

TEST_CASE("CPU occupancy equals CUDA's occupancy calculator on every supported arch", "[occupancy]") {
  int compared = 0;
  for (const auto& arch : supported_archs()) {
    for (long long threads : {32, 64, 96, 128, 160, 192, 256, 384, 512, 640, 768, 1024})
      for (int regs : {16, 24, 32, 38, 40, 48, 54, 64, 72, 96, 128, 168, 200, 255})
        for (long long smem : {0LL, 32LL, 1000LL, 4096LL, 20000LL, 49152LL, 100000LL, 160000LL, 232448LL})
          for (int barriers : {0, 1}) {
            OccupancyInput in{threads, regs, smem, barriers};
            Occupancy ours = theoretical_occupancy(arch, in);
            INFO(arch.arch << " threads=" << threads << " regs=" << regs << " smem=" << smem << " barriers=" << barriers
                           << " limiter=" << ours.limiter);
            REQUIRE(ours.blocks_per_sm == oracle_blocks(arch, in));
            ++compared;
          }
  }
  CHECK(compared > 5000);
}

// cudaOccupancyMaxActiveBlocksPerMultiprocessor on an NVIDIA H200 (driver
// 580.159.04, CUDA 13.0), 2026-11-21, for rmsnorm CUBINs compiled by tkbench
// (bench/device_compile_check.sh): threads per block, registers, static
// shared bytes -> blocks per SM.
TEST_CASE("CPU occupancy matches blocks/SM measured on an H200", "[occupancy]") {
  struct Seen { long long threads; int regs; long long smem; int barriers; int blocks; };
  const Seen seen[] = {
      {1024, 38, 128, 1, 1}, {256, 38, 32, 1, 6},  {512, 38, 64, 1, 3}, {64, 38, 0, 0, 24},  {32, 54, 0, 0, 32},
      {128, 38, 0, 0, 12},   {1024, 32, 128, 1, 2}, {256, 32, 32, 1, 8}, {64, 32, 8, 1, 32},  {128, 29, 16, 1, 16},
      {32, 49, 0, 0, 32},    {64, 29, 0, 0, 32},
  };
  const ArchLimits* sm90 = arch_limits("sm_90");
  REQUIRE(sm90);
  for (const auto& s : seen) {
    INFO("threads=" << s.threads << " regs=" << s.regs);
    CHECK(theoretical_occupancy(*sm90, {s.threads, s.regs, s.smem, s.barriers}).blocks_per_sm == s.blocks);
  }
}

TEST_CASE("occupancy names its limiter and refuses impossible blocks", "[occupancy]") {
  const ArchLimits* sm90 = arch_limits("sm_90a");
  REQUIRE(sm90);
  CHECK(theoretical_occupancy(*sm90, {256, 38, 32, 1}).limiter == "registers");
  CHECK(theoretical_occupancy(*sm90, {1024, 16, 0, 0}).limiter == "warps");
  CHECK(theoretical_occupancy(*sm90, {32, 16, 0, 0}).limiter == "blocks");
  CHECK(theoretical_occupancy(*sm90, {128, 16, 100000, 0}).limiter == "shared memory");
  CHECK(theoretical_occupancy(*sm90, {128, 16, 300000, 0}).blocks_per_sm == 0);
  CHECK(theoretical_occupancy(*sm90, {2048, 16, 0, 0}).blocks_per_sm == 0);
  CHECK(theoretical_occupancy(*sm90, {1024, 16, 0, 0}).fraction == Approx(1.0));
  CHECK(arch_limits("sm_75") == nullptr);
}
