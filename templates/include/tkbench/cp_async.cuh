#pragma once
// cp.async (sm_80): 16-byte copies global -> shared that bypass registers and
// complete in commit groups, the load stage of a multi-stage pipeline:
//   cp_async_16(...); ...; cp_async_commit();   // one group per pipeline stage
//   cp_async_wait<G>(); __syncthreads();        // all but the G newest groups landed
#include "tkbench/address_space.cuh"

namespace tkb {

// Copies `bytes` (0..16) from `src` and zero-fills the rest of the 16 bytes at
// `dst`: a chunk past the edge of a matrix reads nothing (bytes = 0; `src`
// must still be a valid address) and lands as zeros, so tails add nothing.
// .cg: cached in L2 only, the data is reused from shared memory.
__device__ __forceinline__ void cp_async_16(unsigned dst, const void* src, int bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst), "l"(src), "r"(bytes) : "memory");
}
// All 16 bytes, or zeros without reading `src` when `skip` (the chunk lies
// past a matrix's edge): no size to encode, so cheaper where chunks never
// straddle an edge (rows a multiple of 16 bytes long).
__device__ __forceinline__ void cp_async_16_or_zeros(unsigned dst, const void* src, bool skip) {
  asm volatile(
      "{\n .reg .pred p;\n setp.ne.b32 p, %2, 0;\n cp.async.cg.shared.global [%0], [%1], 16, p;\n}" ::"r"(dst),
      "l"(src), "r"(static_cast<int>(skip))
      : "memory");
}
__device__ __forceinline__ void cp_async_16(void* dst, const void* src, int bytes) {
  cp_async_16(shared_address(dst), src, bytes);
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
template <int PENDING>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(PENDING) : "memory");
}

}  // namespace tkb
