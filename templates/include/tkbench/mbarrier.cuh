#pragma once
// mbarriers: the shared-memory barriers that asynchronous copies complete on (sm_90).
#include "tkbench/address_space.cuh"

namespace tkb {

// One barrier, not yet visible to the copy engine: initialise several this
// way, then publish them all with one mbarrier_publish_inits (each fence is a
// memory barrier in SASS: one per barrier was 2 x STAGES of them a block).
__device__ __forceinline__ void mbarrier_init_unpublished(unsigned long long* bar, unsigned arrivals) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(shared_address(bar)), "r"(arrivals) : "memory");
}
// Makes the barriers this thread initialised visible to the copy engine (the
// async proxy) and to the cluster's other blocks.
__device__ __forceinline__ void mbarrier_publish_inits() {
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}
// Called by one thread, then a __syncthreads before anyone waits on it.
__device__ __forceinline__ void mbarrier_init(unsigned long long* bar, unsigned arrivals) {
  mbarrier_init_unpublished(bar, arrivals);
  mbarrier_publish_inits();
}

// The one arrival of this phase, announcing `bytes` to come from bulk copies.
__device__ __forceinline__ void mbarrier_arrive_expect_bytes(unsigned long long* bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(shared_address(bar)), "r"(bytes) : "memory");
}

// Waits until the phase with the given parity has completed.
__device__ __forceinline__ void mbarrier_wait(unsigned long long* bar, unsigned parity) {
  unsigned done = 0;
  do {
    asm volatile("{ .reg .pred p; mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2; selp.u32 %0, 1, 0, p; }"
                 : "=r"(done) : "r"(shared_address(bar)), "r"(parity) : "memory");
  } while (!done);
}

// ---- Mbarrier: the same barrier as a type, for pipelines of several stages ----
//
// A barrier completes a phase when its expected arrivals have arrived and its
// expected bytes have landed; phases alternate parity 0, 1, 0, ... A waiter
// names the parity of the phase it waits for, so a pipeline keeps one phase
// bit per pass over its stages (PipelineState below) instead of counting by hand.
struct alignas(8) Mbarrier {
  unsigned long long state;

  // By one thread, before a __syncthreads (or cluster barrier) that publishes it.
  __device__ __forceinline__ void init(unsigned arrivals) { mbarrier_init(&state, arrivals); }
  // One of several: mbarrier_publish_inits once after the last.
  __device__ __forceinline__ void init_unpublished(unsigned arrivals) { mbarrier_init_unpublished(&state, arrivals); }
  // One arrival that also announces `bytes` still to come from asynchronous copies.
  __device__ __forceinline__ void arrive_expect_bytes(unsigned bytes) { mbarrier_arrive_expect_bytes(&state, bytes); }
  // One plain arrival.
  __device__ __forceinline__ void arrive() {
    asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(shared_address(&state)) : "memory");
  }
  // One arrival on the barrier at this offset in block `rank` of the cluster
  // (a consumer releasing a stage that another block multicasts into). The
  // default semantics (release at the block's scope), not .release.cluster:
  // the consumer has already waited for its wgmma to finish reading the
  // stage, so nothing of its own needs ordering cluster-wide, and a
  // cluster-scope release is a fence every consumer warp would pay per stage.
  __device__ __forceinline__ void arrive_in_block(unsigned rank) {
    asm volatile(
        "{ .reg .b32 remote; mapa.shared::cluster.u32 remote, %0, %1;"
        " mbarrier.arrive.shared::cluster.b64 _, [remote]; }" ::"r"(shared_address(&state)),
        "r"(rank) : "memory");
  }
  // Whether the phase of this parity has completed (waits a bounded while in hardware).
  __device__ __forceinline__ bool try_wait(unsigned parity) {
    unsigned done;
    asm volatile("{ .reg .pred p; mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2; selp.u32 %0, 1, 0, p; }"
                 : "=r"(done) : "r"(shared_address(&state)), "r"(parity) : "memory");
    return done != 0;
  }
  __device__ __forceinline__ void wait(unsigned parity) { mbarrier_wait(&state, parity); }
};

// Where a ring of STAGES buffers stands: the stage in use and the parity of
// its current phase, which flips each time the ring wraps around.
template <int STAGES>
struct PipelineState {
  int stage = 0;
  unsigned phase = 0;
  __device__ __forceinline__ void advance() {
    if (++stage == STAGES) {
      stage = 0;
      phase ^= 1u;
    }
  }
};

}  // namespace tkb
