#pragma once
// TMA stores (sm_90): 2-D tile copies shared -> global described by a tensor
// map, the way tma.cuh's loads go the other way. One thread issues a store;
// it reads the box from shared memory (laid out as the map's swizzle says) in
// the background and writes only the part inside the map's dims, so a tile at
// a ragged edge needs no guard. Stores are tracked in bulk groups, per thread:
//   fence_async_shared();                  // every writer: its shared writes are visible to TMA
//   (a barrier over the writers)
//   tma_store_2d(...); tma_store_commit(); // the issuing thread
//   tma_store_wait_read<N>();              // before the buffer is written again: at most N groups still reading
//   tma_store_wait<0>();                   // before the block exits: every store done
#include "tkbench/tma.cuh"

namespace tkb {

// Orders this thread's ordinary shared-memory writes before later TMA reads of them.
__device__ __forceinline__ void fence_async_shared() { asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); }

// Stores the box at `src` to element coordinates (x: the inner dim, y: the outer).
__device__ __forceinline__ void tma_store_2d(const TensorMap& map, const void* src, int x, int y) {
  asm volatile("cp.async.bulk.tensor.2d.global.shared::cta.tile.bulk_group [%0, {%2, %3}], [%1];"
               ::"l"(&map), "r"(shared_address(src)), "r"(x), "r"(y) : "memory");
}
// Closes a group of the stores this thread issued.
__device__ __forceinline__ void tma_store_commit() { asm volatile("cp.async.bulk.commit_group;" ::: "memory"); }
// Waits until at most PENDING of this thread's groups are still reading shared memory.
template <int PENDING>
__device__ __forceinline__ void tma_store_wait_read() {
  asm volatile("cp.async.bulk.wait_group.read %0;" ::"n"(PENDING) : "memory");
}
// Waits until at most PENDING of this thread's groups are still running (writes included).
template <int PENDING>
__device__ __forceinline__ void tma_store_wait() {
  asm volatile("cp.async.bulk.wait_group %0;" ::"n"(PENDING) : "memory");
}

}  // namespace tkb
