#pragma once
// mma.sync (sm_80+): a warp's D(16 x 8, fp32) += A(16 x 16) * B(16 x 8) on
// 16-bit inputs, with its operands loaded from SharedTiles by ldmatrix. The
// portable tensor-core path (templates/gemm/gemm_sm80.cu is the worked example).
//
// Fragments, lane l, g = l / 4, t = l % 4 (two 16-bit elements per register):
//   A (rows x k):  a[0] (g, 2t..2t+1)  a[1] (g+8, 2t..)  a[2] (g, 2t+8..)  a[3] (g+8, 2t+8..)
//   B (k x cols):  b[0] (2t..2t+1, g)  b[1] (2t+8.., g)
//   D (rows x cols, fp32): d[0], d[1] (g, 2t and 2t+1)  d[2], d[3] (g+8, 2t and 2t+1)
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "tkbench/ldmatrix.cuh"
#include "tkbench/shared_tile.cuh"

namespace tkb {

// D += A * B for one m16n8k16 tile; T picks the instruction's input type.
template <typename T>
struct MmaSync;  // undefined: bf16 and fp16 only
template <>
struct MmaSync<__nv_bfloat16> {
  static __device__ __forceinline__ void run(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
};
template <>
struct MmaSync<__half> {
  static __device__ __forceinline__ void run(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
};

// A's fragment for rows [r0, r0 + 16) and k [k0, k0 + 16) of a tile whose rows
// run along K: matrices (r0, k0), (r0 + 8, k0), (r0, k0 + 8), (r0 + 8, k0 + 8).
template <typename Tile>
__device__ __forceinline__ void load_a_fragment(unsigned (&a)[4], const Tile& tile, int r0, int k0) {
  const int lane = threadIdx.x % 32;
  ldmatrix_x4(a, &tile.at(r0 + lane % 16, k0 + 8 * (lane / 16)));
}

// B's fragments for columns [n0, n0 + 16) (two 8-wide mma tiles: b[0], b[1]
// and b[2], b[3]) and k [k0, k0 + 16), from an N x K tile (rows along K).
template <typename Tile>
__device__ __forceinline__ void load_b_fragments_nk(unsigned (&b)[4], const Tile& tile, int n0, int k0) {
  const int lane = threadIdx.x % 32;
  ldmatrix_x4(b, &tile.at(n0 + lane % 8 + 8 * (lane / 16), k0 + 8 * ((lane / 8) % 2)));
}

// The same from a K x N tile (rows along N), transposed on the way by ldmatrix.
template <typename Tile>
__device__ __forceinline__ void load_b_fragments_kn(unsigned (&b)[4], const Tile& tile, int n0, int k0) {
  const int lane = threadIdx.x % 32;
  ldmatrix_x4_trans(b, &tile.at(k0 + lane % 8 + 8 * ((lane / 8) % 2), n0 + 8 * (lane / 16)));
}

// The same three loads with the swizzle worked out once per lane
// (SwizzledLane): each returns the lane's chunk for a warp's fragments, and the
// loads read the tile at shared address `tile` (one stage's) moved by (r0 or
// n0, k0), r0 and n0 multiples of 16 (of 8 for n0 in the nk form).
// A: the warp's rows start at row0.
template <typename Tile>
__device__ __forceinline__ SwizzledLane<Tile> a_fragment_lane(int row0) {
  const int lane = threadIdx.x % 32;
  return {row0 + lane % 16, 8 * (lane / 16)};
}
template <typename Tile>
__device__ __forceinline__ void load_a_fragment(unsigned (&a)[4], unsigned tile, const SwizzledLane<Tile>& lane, int r0,
                                                int k0) {
  ldmatrix_x4(a, tile + lane.offset(r0, k0));
}
// B, N x K: the warp's columns (B's rows) start at n0.
template <typename Tile>
__device__ __forceinline__ SwizzledLane<Tile> b_nk_fragment_lane(int n0) {
  const int lane = threadIdx.x % 32;
  return {n0 + lane % 8 + 8 * (lane / 16), 8 * ((lane / 8) % 2)};
}
template <typename Tile>
__device__ __forceinline__ void load_b_fragments_nk(unsigned (&b)[4], unsigned tile, const SwizzledLane<Tile>& lane,
                                                    int n0, int k0) {
  ldmatrix_x4(b, tile + lane.offset(n0, k0));
}
// B, K x N: the warp's columns are part of n0 here (a column offset).
template <typename Tile>
__device__ __forceinline__ SwizzledLane<Tile> b_kn_fragment_lane() {
  const int lane = threadIdx.x % 32;
  return {lane % 16, 8 * (lane / 16)};
}
template <typename Tile>
__device__ __forceinline__ void load_b_fragments_kn(unsigned (&b)[4], unsigned tile, const SwizzledLane<Tile>& lane,
                                                    int n0, int k0) {
  ldmatrix_x4_trans(b, tile + lane.offset(k0, n0));
}

}  // namespace tkb
