#pragma once
// Asynchronous bulk copies (sm_90): global -> shared through the copy engine.
//
// One thread starts a copy of up to 4 GB with cp.async.bulk; it lands in
// shared memory and counts its bytes down on an mbarrier, which the threads
// wait on. Source, destination and size are multiples of 16 bytes. Nothing is
// held in registers while the bytes are in flight.
#include "tkbench/mbarrier.cuh"

namespace tkb {

__device__ __forceinline__ void bulk_copy_to_shared(void* dst, const void* src, unsigned bytes, unsigned long long* bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
               ::"r"(shared_address(dst)), "l"(src), "r"(bytes), "r"(shared_address(bar)) : "memory");
}

}  // namespace tkb
