// transpose: Y = X^T, X R x C and Y C x R, both row-major: the memory-bound
// side of tiling. A block moves one TILE x TILE tile through shared memory:
// it reads X's rows as VEC_BYTES vectors (lanes along a row: coalesced), and
// writes Y's rows as vectors too (lanes along a row of Y), each gathered from
// VEC_BYTES / size(T) consecutive rows of the tile, one element from each.
//
// That gather is where shared memory's banks decide the speed: the lanes of a
// warp read the same column of rows V apart (V elements per vector), which in
// a plain layout are a multiple of 128 bytes apart: one bank. Two cures, as
// parameters:
// - PAD: each tile row one vector longer, so rows shift by a vector; enough
//   when V = 1 (the classic TILE + 1), not when the rows a warp reads are V apart;
// - SWIZZLE: vector q of row r is stored at q ^ ((r / V) mod S), S the vectors
//   per 128 bytes (the XOR swizzle of tkbench/shared_tile.cuh, by vectors): the
//   rows a warp gathers from land in different bank groups, with no padding.
// How Y's vectors are gathered is a parameter too: element by element (each
// of a vector's V elements one shared-memory load), or with BLOCKS by V x V
// blocks: a thread loads V whole vectors (V consecutive tile rows, one vector
// column) and transposes them in registers into V vectors of Y: V loads
// instead of V * V, which matters for 2-byte types (V = 8). Lanes then take
// blocks down the tile's rows, so a warp writes long runs of one row of Y, and
// the swizzle keeps their loads (rows V apart) in different banks.
// The order blocks take tiles in is a parameter too: GROUP tile rows of X at a
// time, down those rows for one tile column, then the next column
// (tkbench/gemm_tiles.cuh's grouped order; 1 is row after row). Row after row,
// the blocks running together read long runs of a few X rows but write only a
// few tiles' width into each of many Y rows, far apart in DRAM; in groups both
// sides get runs of GROUP or so tiles.
// Any R, C: vectors where they fit and rows allow (C, R multiples of V),
// elements one by one at the edges.
#include "tkbench/gemm_tiles.cuh"
#include "tkbench/shared_storage.cuh"
#include "tkbench/vec.cuh"

namespace tkb {

template <typename T, int TILE, int VEC_BYTES, bool PAD, bool SWIZZLE>
struct TransposeTile {
  static constexpr int kVec = VEC_BYTES / static_cast<int>(sizeof(T));  // elements per vector
  static constexpr int kVectors = TILE / kVec;                           // vectors per tile row
  static constexpr int kPitch = TILE + (PAD ? kVec : 0);                 // elements per stored row
  static constexpr int kSwizzleSpan = kVectors < 128 / VEC_BYTES ? kVectors : 128 / VEC_BYTES;
  static_assert(kVec >= 1 && TILE % kVec == 0 && (kVectors & (kVectors - 1)) == 0, "whole, power-of-two vectors per row");
  alignas(16) T data[TILE * kPitch];

  // Where vector q of row r is stored (a permutation of a row's vectors).
  static __device__ __forceinline__ int slot(int r, int q) { return SWIZZLE ? q ^ ((r / kVec) % kSwizzleSpan) : q; }
  __device__ __forceinline__ Vec<T, kVec>& vector(int r, int q) {
    return *reinterpret_cast<Vec<T, kVec>*>(data + r * kPitch + slot(r, q) * kVec);
  }
  __device__ __forceinline__ T element(int r, int c) const { return data[r * kPitch + slot(r, c / kVec) * kVec + c % kVec]; }
};

// Y's row `row` from column `col` on: a whole vector where the row allows, else element by element.
template <typename T, int kVec>
__device__ __forceinline__ void store_y_vector(T* __restrict__ y, const Vec<T, kVec>& v, int row, int col, int R,
                                               bool y_vectors) {
  T* to = y + static_cast<long long>(row) * R + col;
  if (y_vectors && col + kVec <= R) {
    *reinterpret_cast<Vec<T, kVec>*>(to) = v;
  } else {
#pragma unroll
    for (int e = 0; e < kVec; ++e)
      if (col + e < R) to[e] = v.v[e];
  }
}

template <typename T, int TILE, int VEC_BYTES, int THREADS, bool PAD, bool SWIZZLE, bool BLOCKS = false, int GROUP = 1>
__global__ void __launch_bounds__(THREADS) transpose(const T* __restrict__ x, T* __restrict__ y, int R, int C) {
  using Tile = TransposeTile<T, TILE, VEC_BYTES, PAD, SWIZZLE>;
  using V = Vec<T, Tile::kVec>;
  constexpr int kVec = Tile::kVec, kVectors = Tile::kVectors;
  constexpr int kPerThread = TILE * kVectors / THREADS;  // vectors each thread moves (powers of two: exact)
  static_assert(kPerThread >= 1 && TILE * kVectors % THREADS == 0, "every thread moves whole vectors");
  Tile& tile = shared_storage<Tile>();
  const TilePosition at = tile_position(blockIdx.y * gridDim.x + blockIdx.x, gridDim.y, gridDim.x, GROUP);
  const int r0 = at.m * TILE, c0 = at.n * TILE;

  // X's tile rows into shared memory, all of a thread's loads in flight before
  // its stores; zeros past the edges are never written out.
  const bool x_vectors = C % kVec == 0;
  V in[kPerThread];
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int i = j * THREADS + threadIdx.x, r = i / kVectors, q = i % kVectors;
    const int row = r0 + r, col = c0 + q * kVec;
    const T* from = x + static_cast<long long>(row) * C + col;
    if (x_vectors && row < R && col + kVec <= C) {
      in[j] = *reinterpret_cast<const V*>(from);
    } else {
#pragma unroll
      for (int e = 0; e < kVec; ++e) in[j].v[e] = row < R && col + e < C ? from[e] : from_float<T>(0.f);
    }
  }
#pragma unroll
  for (int j = 0; j < kPerThread; ++j) {
    const int i = j * THREADS + threadIdx.x;
    tile.vector(i / kVectors, i % kVectors) = in[j];
  }
  __syncthreads();

  const bool y_vectors = R % kVec == 0;
  if constexpr (BLOCKS) {
    // Block (p, q): tile rows p V .. p V + V - 1, vector column q; its column e
    // is Y's row c0 + q V + e from column r0 + p V.
    static_assert(kVectors * kVectors % THREADS == 0, "every thread transposes whole blocks");
#pragma unroll
    for (int j = 0; j < kVectors * kVectors / THREADS; ++j) {
      const int i = j * THREADS + threadIdx.x, p = i % kVectors, q = i / kVectors;
      V rows[kVec];
#pragma unroll
      for (int e = 0; e < kVec; ++e) rows[e] = tile.vector(p * kVec + e, q);
#pragma unroll
      for (int e = 0; e < kVec; ++e) {
        const int row = c0 + q * kVec + e;
        if (row >= C) break;
        V v;
#pragma unroll
        for (int k = 0; k < kVec; ++k) v.v[k] = rows[k].v[e];
        store_y_vector(y, v, row, r0 + p * kVec, R, y_vectors);
      }
    }
  } else {
    // Y's rows (X's columns c0 + c), vector p gathered from tile rows p V .. p V + V - 1.
#pragma unroll
    for (int j = 0; j < kPerThread; ++j) {
      const int i = j * THREADS + threadIdx.x, c = i / kVectors, p = i % kVectors;
      const int row = c0 + c;
      if (row >= C) continue;
      V v;
#pragma unroll
      for (int e = 0; e < kVec; ++e) v.v[e] = tile.element(p * kVec + e, c);
      store_y_vector(y, v, row, r0 + p * kVec, R, y_vectors);
    }
  }
}

// Trusted reference: one element per thread, read where it is, written where it goes.
template <typename T>
__global__ void transpose_reference(const T* __restrict__ x, T* __restrict__ y, int R, int C) {
  const long long n = static_cast<long long>(R) * C;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = i / C, c = i % C;
    y[c * R + r] = x[i];
  }
}

}  // namespace tkb
