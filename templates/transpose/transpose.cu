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
// For 2-byte types LDMATRIX gathers by ldmatrix.trans instead: one instruction
// hands a warp four 8 x 8 blocks (32 tile rows of one vector column)
// transposed, lane l two elements of Y row l / 4 from each block; a 4 x 4
// exchange of words within each quad of lanes (transpose_quad) turns that into
// one 16-byte vector per lane, 8 consecutive elements of Y row l / 4. Four
// shared-memory instructions and four shuffles per 16-byte vector of Y instead
// of eight 2-byte loads, and tiles of 128 (256-byte runs of X's and Y's rows:
// the run length DRAM wants, fp32's tile 64 runs at 96% of a copy) without
// the element gather's bank conflicts: rows' vectors swizzled by row mod 8, so
// the 8 rows of a block lie in 8 different 16-byte bank groups.
// The order blocks take tiles in is a parameter too: GROUP tile rows of X at a
// time, down those rows for one tile column, then the next column
// (tkbench/gemm_tiles.cuh's grouped order; 1 is row after row). Row after row,
// the blocks running together read long runs of a few X rows but write only a
// few tiles' width into each of many Y rows, far apart in DRAM; in groups both
// sides get runs of GROUP or so tiles.
// Any R, C: vectors where they fit and rows allow (C, R multiples of V),
// elements one by one at the edges.
#include "tkbench/gemm_tiles.cuh"
#include "tkbench/ldmatrix.cuh"
#include "tkbench/shared_storage.cuh"
#include "tkbench/vec.cuh"

namespace tkb {

template <typename T, int TILE, int VEC_BYTES, bool PAD, bool SWIZZLE, bool LDMATRIX = false>
struct TransposeTile {
  static constexpr int kVec = VEC_BYTES / static_cast<int>(sizeof(T));  // elements per vector
  static constexpr int kVectors = TILE / kVec;                           // vectors per tile row
  static constexpr int kPitch = TILE + (PAD ? kVec : 0);                 // elements per stored row
  static constexpr int kSwizzleSpan = kVectors < 128 / VEC_BYTES ? kVectors : 128 / VEC_BYTES;
  static_assert(kVec >= 1 && TILE % kVec == 0 && (kVectors & (kVectors - 1)) == 0, "whole, power-of-two vectors per row");
  static_assert(!LDMATRIX || (sizeof(T) == 2 && VEC_BYTES == 16 && !PAD && SWIZZLE && kVectors >= 8),
                "ldmatrix: 2-byte elements, 16-byte vectors, rows of 128 bytes or more swizzled by row mod 8");
  alignas(16) T data[TILE * kPitch];

  // Where vector q of row r is stored (a permutation of a row's vectors): the
  // element gather reads rows kVec apart at once, ldmatrix 8 consecutive rows.
  static __device__ __forceinline__ int slot(int r, int q) {
    if constexpr (!SWIZZLE) return q;
    else if constexpr (LDMATRIX) return q ^ (r % 8);
    else return q ^ ((r / kVec) % kSwizzleSpan);
  }
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

// Word k of lane s of a quad becomes word s of lane k: a 4 x 4 transpose of
// words across the quad's lanes, in two rounds that swap off-diagonal halves
// with the partner lane, first (s, k) <-> (s ^ 1, k ^ 1) where s and k differ
// in bit 0, then (s, k) <-> (s ^ 2, k ^ 2) where they differ in bit 1.
__device__ __forceinline__ void transpose_quad(unsigned (&a)[4]) {
  const int s = threadIdx.x & 3;
#pragma unroll
  for (int m = 0; m < 2; ++m) {
    const bool odd = s & 1;
    const unsigned got = __shfl_xor_sync(0xffffffffu, odd ? a[2 * m] : a[2 * m + 1], 1);
    if (odd) a[2 * m] = got;
    else a[2 * m + 1] = got;
  }
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    const bool high = s & 2;
    const unsigned got = __shfl_xor_sync(0xffffffffu, high ? a[i] : a[2 + i], 2);
    if (high) a[i] = got;
    else a[2 + i] = got;
  }
}

// A whole tile's Y rows by ldmatrix.trans (Y's rows vector-aligned): a warp's
// unit is 32 tile rows (g) of one vector column (q), Y rows c0 + 8 q .. + 7
// from column r0 + 32 g; lane l ends up with row l / 4, columns 8 (l % 4) .. + 7.
template <typename T, typename Tile, int TILE, int THREADS>
__device__ __forceinline__ void store_tile_by_ldmatrix(Tile& tile, T* __restrict__ y, int r0, int c0, int R) {
  constexpr int kGroups = TILE / 32, kUnits = Tile::kVectors * kGroups, kWarps = THREADS / 32;
  static_assert(kUnits % kWarps == 0, "every warp takes whole units");
  const int lane = threadIdx.x % 32;
#pragma unroll
  for (int u = threadIdx.x / 32; u < kUnits; u += kWarps) {
    const int q = u / kGroups, g = u % kGroups;
    unsigned a[4];
    ldmatrix_x4_trans(a, &tile.vector(g * 32 + lane, q));  // lanes 8k .. 8k + 7: block k's 8 rows
    transpose_quad(a);
    const int row = c0 + q * 8 + lane / 4, col = r0 + g * 32 + 8 * (lane % 4);
    *reinterpret_cast<uint4*>(y + static_cast<long long>(row) * R + col) = make_uint4(a[0], a[1], a[2], a[3]);
  }
}

template <typename T, int TILE, int VEC_BYTES, int THREADS, bool PAD, bool SWIZZLE, bool BLOCKS = false, int GROUP = 1,
          bool LDMATRIX = false>
__global__ void __launch_bounds__(THREADS) transpose(const T* __restrict__ x, T* __restrict__ y, int R, int C) {
  using Tile = TransposeTile<T, TILE, VEC_BYTES, PAD, SWIZZLE, LDMATRIX>;
  using V = Vec<T, Tile::kVec>;
  constexpr int kVec = Tile::kVec, kVectors = Tile::kVectors;
  constexpr int kPerThread = TILE * kVectors / THREADS;  // vectors each thread moves (powers of two: exact)
  static_assert(kPerThread >= 1 && TILE * kVectors % THREADS == 0, "every thread moves whole vectors");
  Tile& tile = shared_storage<Tile>();
  const TilePosition at = tile_position(blockIdx.y * gridDim.x + blockIdx.x, gridDim.y, gridDim.x, GROUP);
  const int r0 = at.m * TILE, c0 = at.n * TILE;

  // X's tile rows into shared memory. A whole tile (most of them) keeps all of
  // a thread's vector loads in flight before its stores, from one pointer:
  // a thread's rows are THREADS / kVectors apart. Edge tiles go one vector at
  // a time, checked element by element (zeros past the edges are never
  // written out): unrolled, their 2-byte loads held registers every tile paid for.
  const bool x_vectors = C % kVec == 0, whole_tile = r0 + TILE <= R && c0 + TILE <= C;
  if (x_vectors && whole_tile) {
    static_assert(THREADS % kVectors == 0, "a thread keeps its vector column");
    const int r = threadIdx.x / kVectors, q = threadIdx.x % kVectors;
    const T* from = x + static_cast<long long>(r0 + r) * C + c0 + q * kVec;
    const long long step = static_cast<long long>(THREADS / kVectors) * C;
    V in[kPerThread];
#pragma unroll
    for (int j = 0; j < kPerThread; ++j) in[j] = *reinterpret_cast<const V*>(from + j * step);
#pragma unroll
    for (int j = 0; j < kPerThread; ++j) tile.vector(r + j * (THREADS / kVectors), q) = in[j];
  } else {
#pragma unroll 1
    for (int j = 0; j < kPerThread; ++j) {
      const int i = j * THREADS + threadIdx.x, r = i / kVectors, q = i % kVectors;
      const int row = r0 + r, col = c0 + q * kVec;
      const T* from = x + static_cast<long long>(row) * C + col;
      V v;
      if (x_vectors && row < R && col + kVec <= C) {
        v = *reinterpret_cast<const V*>(from);
      } else {
#pragma unroll
        for (int e = 0; e < kVec; ++e) v.v[e] = row < R && col + e < C ? from[e] : from_float<T>(0.f);
      }
      tile.vector(r, q) = v;
    }
  }
  __syncthreads();

  const bool y_vectors = R % kVec == 0;
  if constexpr (LDMATRIX) {
    if (y_vectors && whole_tile) {  // else the edge tile takes the element gather below
      store_tile_by_ldmatrix<T, Tile, TILE, THREADS>(tile, y, r0, c0, R);
      return;
    }
  }
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
