#pragma once
// wgmma (sm_90a): a warpgroup's asynchronous matrix multiply-accumulate with
// both operands read from shared memory through 64-bit descriptors, fp32
// accumulators in registers.
//
// One call of mma_k16 issues D(64 x N) += A(64 x 16) * B(N x 16)^T for the
// k-step `k` of two SharedTiles (rows of each contiguous along K);
// mma_k16_b_n_major takes B as a K x N SharedTile instead (rows along N: a
// row-major K x N matrix, read through wgmma's transposed-B mode). The
// descriptors come from the tiles' own swizzle, so the layout TMA wrote is the
// layout wgmma reads. Order of use, per warpgroup:
//   wgmma_fence();                  // accumulators written by ordinary code before are visible
//   mma_k16(...); mma_k16(...);     // any number
//   wgmma_commit();                 // closes a group
//   wgmma_wait<G>();                // at most G groups still running: their shared memory may be reused
#include "tkbench/shared_tile.cuh"
#include "tkbench/wgmma_instructions.cuh"

namespace tkb {

// This thread's share of a 64 x N fp32 accumulator: N / 2 registers. Register
// r of lane l of warp w (in the warpgroup) is element (16 w + l / 4 + 8 ((r / 2) % 2),
// 8 (r / 4) + 2 (l % 4) + r % 2); row() and col() say so.
template <int N>
struct Accumulator {
  static constexpr int kRegisters = N / 2;
  float d[kRegisters];
  static __device__ __forceinline__ int row(int r) {
    const int lane = threadIdx.x % 32, warp = (threadIdx.x / 32) % 4;
    return 16 * warp + lane / 4 + 8 * ((r / 2) % 2);
  }
  static __device__ __forceinline__ int col(int r) { return 8 * (r / 4) + 2 * (threadIdx.x % 4) + r % 2; }
};

// The swizzle mode field of a descriptor (bits 62-63) for a span.
template <int SWIZZLE_BYTES>
__host__ __device__ constexpr unsigned long long wgmma_swizzle_mode() {
  return SWIZZLE_BYTES == 128 ? 1ull : SWIZZLE_BYTES == 64 ? 2ull : 3ull;
}

// The descriptor of rows [row0, row0 + 8k) of `tile` at k-step `k` (16
// elements): start address, stride between 8-row groups (8 swizzle rows),
// swizzle mode. The leading byte offset is unused for K-major swizzled
// operands whose 16-element step lies within one swizzle row (always: a row is
// 32 bytes or more, a step 32 bytes), and set to 1 as the PTX guide asks.
template <typename Tile>
__device__ __forceinline__ unsigned long long wgmma_descriptor(const Tile& tile, int row0, int k) {
  constexpr int kStepBytes = 16 * static_cast<int>(sizeof(typename Tile::element));
  const int byte = k * kStepBytes;
  const int block = byte / Tile::kSwizzleBytes, within = byte % Tile::kSwizzleBytes;
  const unsigned address =
      shared_address(tile.data) + block * Tile::kBlockBytes + row0 * Tile::kSwizzleBytes + within;
  unsigned long long desc = 0;
  desc |= static_cast<unsigned long long>((address & 0x3FFFF) >> 4);
  desc |= 1ull << 16;                                                        // leading byte offset (unused)
  desc |= static_cast<unsigned long long>((8 * Tile::kSwizzleBytes) >> 4) << 32;  // stride byte offset
  desc |= wgmma_swizzle_mode<Tile::kSwizzleBytes>() << 62;
  return desc;
}

// The descriptor of k-step `k` (rows [16k, 16k + 16)) of an MN-major operand:
// `tile` is K x N with N contiguous, kBoxCols columns per swizzle row. wgmma
// reads 8-row groups (8 swizzle rows, the stride byte offset apart) and
// kBoxCols-wide column blocks (the leading byte offset apart: one TMA box).
// A k-step starts at a multiple of 16 rows, so on a whole swizzle pattern.
template <typename Tile>
__device__ __forceinline__ unsigned long long wgmma_descriptor_mn_major(const Tile& tile, int k) {
  const unsigned address = shared_address(tile.data) + k * 16 * Tile::kSwizzleBytes;
  unsigned long long desc = 0;
  desc |= static_cast<unsigned long long>((address & 0x3FFFF) >> 4);
  desc |= static_cast<unsigned long long>(Tile::kBlockBytes >> 4) << 16;            // leading: next column block
  desc |= static_cast<unsigned long long>((8 * Tile::kSwizzleBytes) >> 4) << 32;  // stride: next 8 rows of K
  desc |= wgmma_swizzle_mode<Tile::kSwizzleBytes>() << 62;
  return desc;
}

// D += A[a_row0 .. a_row0 + 64) * B[0 .. N)^T at k-step k; accumulate == 0
// overwrites D instead (the first step of a tile: no zeroing needed).
template <int N, typename TileA, typename TileB>
__device__ __forceinline__ void mma_k16(Accumulator<N>& acc, const TileA& a, int a_row0, const TileB& b, int k,
                                        int accumulate) {
  using T = typename TileA::element;
  static_assert(TileB::kRows == N, "B's rows are D's columns");
  WgmmaInstruction<T, N>::template run<0>(acc.d, wgmma_descriptor(a, a_row0, k), wgmma_descriptor(b, 0, k),
                                          accumulate);
}

// The same with B a K x N tile (N contiguous): D += A * B[16k .. 16k + 16, 0 .. N).
template <int N, typename TileA, typename TileB>
__device__ __forceinline__ void mma_k16_b_n_major(Accumulator<N>& acc, const TileA& a, int a_row0, const TileB& b,
                                                  int k, int accumulate) {
  using T = typename TileA::element;
  static_assert(TileB::kCols == N, "B's columns are D's columns");
  static_assert(sizeof(T) == 2, "wgmma transposes 16-bit operands only");
  WgmmaInstruction<T, N>::template run<1>(acc.d, wgmma_descriptor(a, a_row0, k), wgmma_descriptor_mn_major(b, k),
                                          accumulate);
}

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }
template <int PENDING>
__device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(PENDING) : "memory");
}

// Registers the compiler must not touch while a wgmma may still write them:
// ties the accumulators to the asm that waits (the documented idiom).
template <int N>
__device__ __forceinline__ void wgmma_fence_operands(Accumulator<N>& acc) {
#pragma unroll
  for (int i = 0; i < N / 2; ++i) asm volatile("" : "+f"(acc.d[i])::"memory");
}

}  // namespace tkb
