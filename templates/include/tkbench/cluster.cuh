#pragma once
// Thread-block clusters (sm_90): block rank, cluster barrier, distributed shared memory.
#include "tkbench/address_space.cuh"

namespace tkb {

__device__ __forceinline__ unsigned cluster_block_rank() {
  unsigned r;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
  return r;
}
// arrive + wait is a barrier over every thread of every block of the
// cluster; release/acquire make shared-memory writes before it visible to
// the other blocks' reads after it. Split, the wait can come much later.
__device__ __forceinline__ void cluster_arrive() { asm volatile("barrier.cluster.arrive.release;" ::: "memory"); }
__device__ __forceinline__ void cluster_wait() { asm volatile("barrier.cluster.wait.acquire;" ::: "memory"); }
// An arrival that orders nothing: for barriers that only sync execution, or
// whose writes another fence already released (fence.mbarrier_init). The
// release form waits for every earlier global store (a GPU-scope MEMBAR).
__device__ __forceinline__ void cluster_arrive_relaxed() { asm volatile("barrier.cluster.arrive.relaxed;" ::: "memory"); }

// The address of `p`'s shared-memory offset in block `rank` of the cluster.
__device__ __forceinline__ unsigned cluster_shared_address(const void* p, unsigned rank) {
  unsigned remote;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(remote) : "r"(shared_address(p)), "r"(rank));
  return remote;
}
// Reads a float at a cluster_shared_address.
__device__ __forceinline__ float load_cluster_shared(unsigned remote) {
  float v;
  asm volatile("ld.shared::cluster.f32 %0, [%1];" : "=f"(v) : "r"(remote) : "memory");
  return v;
}
// Reads a float at the same shared-memory offset as `p` in block `rank` of the cluster.
__device__ __forceinline__ float load_from_cluster_block(const float* p, unsigned rank) {
  return load_cluster_shared(cluster_shared_address(p, rank));
}

}  // namespace tkb
