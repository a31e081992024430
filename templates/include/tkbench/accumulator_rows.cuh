#pragma once
// From a warpgroup's wgmma accumulators straight to a row-major global matrix,
// whole 32-byte sectors at a time. In wgmma's layout the 4 lanes of a quad hold
// one row's 8-column group as 4-byte pairs, so a plain store per register pair
// writes 16 bytes of a row: half a sector, and L2 sees every sector twice. Here
// each quad first trades words so that each lane holds 8 contiguous columns
// (two 8-column groups j, j + 1 of rows lo and lo + 8), then stores them as one
// 16-byte access: lanes 0 and 1 of the quad fill one sector of row lo, lanes 2
// and 3 one of row lo + 8.
#include "tkbench/vec.cuh"
#include "tkbench/wgmma.cuh"

namespace tkb {

// a[i] for a run-time i in 0..3, without indexing a register array (which
// would put it in local memory).
__device__ __forceinline__ unsigned pick4(const unsigned (&a)[4], int i) {
  return (i & 2) ? ((i & 1) ? a[3] : a[2]) : ((i & 1) ? a[1] : a[0]);
}

// Two fp32 values rounded to T and packed as one 4-byte word.
template <typename T>
__device__ __forceinline__ unsigned pack2(float lo, float hi) {
  Vec<T, 2> v;
  v.v[0] = from_float<T>(lo);
  v.v[1] = from_float<T>(hi);
  return *reinterpret_cast<const unsigned*>(&v);
}

// A 4 x 4 transpose of words among the lanes of each quad: `to[t]` is this
// lane's word for quad lane t; returns in `from[q]` quad lane q's word for this
// lane. Every lane of the warp calls it.
__device__ __forceinline__ void quad_exchange(const unsigned (&to)[4], unsigned (&from)[4]) {
  const int q = threadIdx.x % 4;
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    const int peer = q ^ k;  // sends to and receives from the same lane
    const unsigned got = k == 0 ? pick4(to, peer) : __shfl_xor_sync(0xffffffffu, pick4(to, peer), k);
#pragma unroll
    for (int p = 0; p < 4; ++p)
      if (peer == p) from[p] = got;
  }
}

// The 64 x N accumulator (2-byte T) into rows row0.. and columns col0.. of
// the M x N matrix d, rows ld elements apart. Needs col0 and ld multiples of 8
// (16-byte aligned rows); rows past M and 8-column groups past N are skipped.
// Every thread of the warpgroup calls it.
template <typename T, int N>
__device__ __forceinline__ void store_accumulator_rows(const Accumulator<N>& acc, T* d, long long ld, int row0,
                                                       int col0, int M, int N_cols) {
  static_assert(sizeof(T) == 2, "8 columns of 2-byte elements are one 16-byte store");
  static_assert(N % 16 == 0, "pairs of 8-column groups");
  const int q = threadIdx.x % 4;
  const int row = row0 + Accumulator<N>::row(0) + (q >= 2 ? 8 : 0);  // lanes 0, 1: row lo; 2, 3: row lo + 8
#pragma unroll
  for (int j = 0; j < N / 8; j += 2) {
    const int r = 4 * j;  // registers of group j: r, r + 1 row lo; r + 2, r + 3 row hi; group j + 1 from r + 4
    // This lane's pairs, by the quad lane that stores them.
    const unsigned to[4] = {pack2<T>(acc.d[r], acc.d[r + 1]), pack2<T>(acc.d[r + 4], acc.d[r + 5]),
                            pack2<T>(acc.d[r + 2], acc.d[r + 3]), pack2<T>(acc.d[r + 6], acc.d[r + 7])};
    unsigned from[4];
    quad_exchange(to, from);
    const int col = col0 + 8 * (j + (q & 1));
    if (row < M && col < N_cols)
      *reinterpret_cast<uint4*>(d + row * ld + col) = make_uint4(from[0], from[1], from[2], from[3]);
  }
}

}  // namespace tkb
