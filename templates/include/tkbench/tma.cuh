#pragma once
// TMA (sm_90): 2-D tile copies global -> shared described by a tensor map.
//
// The host encodes the map (cuTensorMapEncodeTiled: global dims and strides,
// the box one copy moves, the shared-memory swizzle) and passes it by value as
// a `const __grid_constant__ TensorMap` kernel argument (a manifest's
// `kind = "tensor_map"` argument; docs/templates.md). One thread issues a copy;
// the box lands in shared memory, swizzled, and counts its bytes down on an
// mbarrier. Parts of the box outside the global dims are filled with zeros
// and still counted, so a tile at a ragged edge needs no special case.
#include "tkbench/mbarrier.cuh"

namespace tkb {

// CUtensorMap's size and alignment; NVRTC cannot include cuda.h, and the
// kernel only passes the map's address back to the hardware.
struct alignas(64) TensorMap {
  unsigned long long opaque[16];
};

// Fetches the map into the constant cache ahead of the first copy.
__device__ __forceinline__ void tma_prefetch(const TensorMap& map) {
  asm volatile("prefetch.tensormap [%0];" ::"l"(&map) : "memory");
}

// Copies the box at element coordinates (x: the inner, contiguous dim; y: the
// outer dim) into `dst` (aligned to the swizzle pattern: 1024 bytes is always
// enough), completing on `bar`. The caller has announced the box's bytes with
// bar.arrive_expect_bytes.
__device__ __forceinline__ void tma_load_2d(void* dst, const TensorMap& map, int x, int y, Mbarrier& bar) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];"
      ::"r"(shared_address(dst)), "l"(&map), "r"(x), "r"(y), "r"(shared_address(&bar.state)) : "memory");
}

// The same box into the same shared-memory offset of every block of the
// cluster named in `block_mask` (bit i: block rank i), each completing on its
// own barrier at `bar`'s offset: one global read feeds several blocks.
__device__ __forceinline__ void tma_load_2d_multicast(void* dst, const TensorMap& map, int x, int y, Mbarrier& bar,
                                                      unsigned short block_mask) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes.multicast::cluster"
      " [%0], [%1, {%2, %3}], [%4], %5;"
      ::"r"(shared_address(dst)), "l"(&map), "r"(x), "r"(y), "r"(shared_address(&bar.state)), "h"(block_mask)
      : "memory");
}

}  // namespace tkb
