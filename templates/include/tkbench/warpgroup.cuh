#pragma once
// Warpgroups (sm_90): four consecutive warps that issue wgmma together, and
// the register reallocation that lets producer warpgroups give registers to
// consumers (setmaxnreg; sm_90a).
namespace tkb {

constexpr int kWarpgroupThreads = 128;

__device__ __forceinline__ int warpgroup_index() { return static_cast<int>(threadIdx.x) / kWarpgroupThreads; }
__device__ __forceinline__ int thread_in_warpgroup() { return static_cast<int>(threadIdx.x) % kWarpgroupThreads; }

// A barrier over `threads` threads (whole warps) that use the same `id`
// (1..15: 0 is __syncthreads'), so a warpgroup can sync without the others.
__device__ __forceinline__ void named_barrier_sync(int id, int threads) {
  asm volatile("bar.sync %0, %1;" ::"r"(id), "r"(threads) : "memory");
}

// Every thread of a warpgroup calls these together. The kernel needs
// __launch_bounds__ with a minimum block count, or ptxas cannot know the
// registers at entry and ignores them. REGS: 24 to 256, a multiple of 8.
template <int REGS>
__device__ __forceinline__ void warpgroup_registers_increase() {
  static_assert(REGS >= 24 && REGS <= 256 && REGS % 8 == 0, "setmaxnreg takes 24..256 in steps of 8");
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(REGS));
}
template <int REGS>
__device__ __forceinline__ void warpgroup_registers_decrease() {
  static_assert(REGS >= 24 && REGS <= 256 && REGS % 8 == 0, "setmaxnreg takes 24..256 in steps of 8");
  asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(REGS));
}

}  // namespace tkb
