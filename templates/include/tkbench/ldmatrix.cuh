#pragma once
// ldmatrix (sm_75+): a warp loads four 8 x 8 matrices of 16-bit elements from
// shared memory into registers in the mma.sync fragment layout. Lanes 8j ..
// 8j + 7 give the addresses of matrix j's 8 rows (16 bytes each, anywhere in
// shared memory: a swizzled tile's chunks are fine); register j of lane l then
// holds matrix j's row l / 4, elements 2 (l % 4) and 2 (l % 4) + 1. The .trans
// form delivers the transpose: column l / 4, rows 2 (l % 4) and 2 (l % 4) + 1.
#include "tkbench/address_space.cuh"

namespace tkb {

// `address`: a shared-memory address (shared_address()).
__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], unsigned address) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address));
}
__device__ __forceinline__ void ldmatrix_x4_trans(unsigned (&r)[4], unsigned address) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address));
}
__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], const void* row_address) {
  ldmatrix_x4(r, shared_address(row_address));
}
__device__ __forceinline__ void ldmatrix_x4_trans(unsigned (&r)[4], const void* row_address) {
  ldmatrix_x4_trans(r, shared_address(row_address));
}

}  // namespace tkb
