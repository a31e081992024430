// gemm_sm80: D = A * B^T (B N x K) or D = A * B (B K x N), fp32 accumulation,
// D (M x N) in T, on the portable tensor-core path (sm_80 and newer): cp.async
// loads, ldmatrix from XOR-swizzled shared memory, mma.sync m16n8k16.
//
// A block computes a BM x BN tile of D with (BM / WM) x (BN / WN) warps, each
// owning a WM x WN sub-tile: (WM / 16) x (WN / 8) mma tiles of fp32
// accumulators in registers. Every thread helps load: a k-block of A (BM x BK)
// and of B (BN x BK or BK x BN) goes to shared memory as 16-byte cp.async
// chunks into a ring of STAGES buffers, STAGES - 1 k-blocks ahead of the one
// being multiplied, one commit group per k-block. The tiles are SharedTiles:
// the same XOR swizzle as the Hopper path's, so ldmatrix's eight 16-byte rows
// fall in distinct banks (SWIZZLE picks the span: 32 bytes leaves 2-way conflicts).
//
// Any M, N, K: a chunk past M, N or K copies only its valid bytes and zero-fills
// the rest (cp.async's source size), so tails add nothing to the sums, and the
// stores are guarded. Rows are round_up(K, 8) (B K x N: round_up(N, 8))
// elements apart, as in gemm.toml, so every chunk is 16-byte aligned.
//
// Tiles are ordered in groups of GROUP_M tile rows (tkbench/gemm_tiles.cuh).
#include "tkbench/ampere.cuh"
#include "tkbench/gemm_reference.cuh"
#include "tkbench/vec.cuh"

namespace tkb {

template <typename T, int BM, int BN, int BK, int STAGES, int SWIZZLE, BLayout B_LAYOUT>
struct GemmSm80Shared {
  using TileA = SharedTile<T, BM, BK, SWIZZLE>;
  using TileB = typename GemmTileB<T, BN, BK, SWIZZLE, B_LAYOUT>::type;
  TileA a[STAGES];
  TileB b[STAGES];
};

// Copies rows [row0, row0 + Tile::kRows) and columns [col0, col0 + Tile::kCols)
// of a rows x cols matrix (row stride ld elements) into `tile`, 16 bytes per
// cp.async, zeros past the matrix's edges. All THREADS threads call it.
template <int THREADS, typename Tile, typename T>
__device__ __forceinline__ void load_tile_async(Tile& tile, const T* __restrict__ src, long long ld, int rows,
                                                int cols, int row0, int col0) {
  constexpr int kChunkElems = 16 / static_cast<int>(sizeof(T));
  constexpr int kChunksPerRow = Tile::kCols / kChunkElems;
  constexpr int kChunks = Tile::kRows * kChunksPerRow;
#pragma unroll
  for (int first = 0; first < kChunks; first += THREADS) {
    const int i = first + static_cast<int>(threadIdx.x);
    if (kChunks % THREADS != 0 && i >= kChunks) break;
    const int r = i / kChunksPerRow, c = i % kChunksPerRow * kChunkElems;
    const int row = row0 + r, col = col0 + c;
    const int valid = row < rows ? min(max(cols - col, 0), kChunkElems) : 0;
    const T* from = valid > 0 ? src + row * ld + col : src;  // a valid address even when nothing is read
    cp_async_16(&tile.at(r, c), from, valid * static_cast<int>(sizeof(T)));
  }
}

template <typename T, int BM, int BN, int BK, int WM, int WN, int STAGES, int SWIZZLE, int GROUP_M,
          BLayout B_LAYOUT>
__global__ void __launch_bounds__(BM / WM * (BN / WN) * 32, 1)
gemm_sm80(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ d, int M, int N, int K) {
  static_assert(BM % WM == 0 && BN % WN == 0, "whole warp tiles");
  static_assert(WM % 16 == 0 && WN % 16 == 0 && BK % 16 == 0, "mma tiles of 16 x 8 x 16, B loaded 16 columns at a time");
  static_assert(STAGES >= 2, "at least one k-block in flight while another is multiplied");
  constexpr int kWarpsN = BN / WN;
  constexpr int kThreads = BM / WM * kWarpsN * 32;
  constexpr int kTilesM = WM / 16, kTilesN = WN / 8;  // mma tiles per warp
  using Shared = GemmSm80Shared<T, BM, BN, BK, STAGES, SWIZZLE, B_LAYOUT>;

  Shared& shared = shared_storage<Shared>();
  const int tiles_m = (M + BM - 1) / BM, tiles_n = (N + BN - 1) / BN;
  const TilePosition tile = tile_position(blockIdx.x, tiles_m, tiles_n, GROUP_M);
  const int m0 = tile.m * BM, n0 = tile.n * BN;
  const long long ld_a = (K + 7) / 8 * 8;
  const long long ld_b = B_LAYOUT == BLayout::nk ? ld_a : (N + 7) / 8 * 8;
  const int k_blocks = (K + BK - 1) / BK;

  auto load_stage = [&](int stage, int kb) {
    load_tile_async<kThreads>(shared.a[stage], a, ld_a, M, K, m0, kb * BK);
    if constexpr (B_LAYOUT == BLayout::nk)
      load_tile_async<kThreads>(shared.b[stage], b, ld_b, N, K, n0, kb * BK);
    else
      load_tile_async<kThreads>(shared.b[stage], b, ld_b, K, N, kb * BK, n0);
  };

  // STAGES - 1 k-blocks in flight before the first multiply; a commit group
  // per k-block even when there is nothing left to load, so the counts agree.
#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < k_blocks) load_stage(s, s);
    cp_async_commit();
  }

  const int warp = threadIdx.x / 32;
  const int warp_m0 = warp / kWarpsN * WM, warp_n0 = warp % kWarpsN * WN;
  float acc[kTilesM][kTilesN][4] = {};
  for (int kb = 0; kb < k_blocks; ++kb) {
    cp_async_wait<STAGES - 2>();  // k-block kb landed (this thread's chunks)
    __syncthreads();              // ... everyone's; and everyone is done with k-block kb - 1's stage
    if (kb + STAGES - 1 < k_blocks) load_stage((kb + STAGES - 1) % STAGES, kb + STAGES - 1);
    cp_async_commit();

    const auto& ta = shared.a[kb % STAGES];
    const auto& tb = shared.b[kb % STAGES];
#pragma unroll
    for (int k = 0; k < BK; k += 16) {
      unsigned af[kTilesM][4], bf[kTilesN / 2][4];
#pragma unroll
      for (int i = 0; i < kTilesM; ++i) load_a_fragment(af[i], ta, warp_m0 + 16 * i, k);
#pragma unroll
      for (int j = 0; j < kTilesN / 2; ++j) {
        if constexpr (B_LAYOUT == BLayout::nk)
          load_b_fragments_nk(bf[j], tb, warp_n0 + 16 * j, k);
        else
          load_b_fragments_kn(bf[j], tb, warp_n0 + 16 * j, k);
      }
#pragma unroll
      for (int i = 0; i < kTilesM; ++i)
#pragma unroll
        for (int j = 0; j < kTilesN; ++j)
          MmaSync<T>::run(acc[i][j], af[i], bf[j / 2][2 * (j % 2)], bf[j / 2][2 * (j % 2) + 1]);
    }
  }
  cp_async_wait<0>();  // no copy outlives the block (the tail groups are empty)

  // Epilogue: each thread holds pairs of adjacent columns; one 4-byte store
  // per pair where D's rows allow it (N even), guarded at the edges.
  const int lane = threadIdx.x % 32;
  const bool paired = N % 2 == 0;
#pragma unroll
  for (int i = 0; i < kTilesM; ++i)
#pragma unroll
    for (int j = 0; j < kTilesN; ++j)
#pragma unroll
      for (int half = 0; half < 2; ++half) {
        const int row = m0 + warp_m0 + 16 * i + lane / 4 + 8 * half;
        const int col = n0 + warp_n0 + 8 * j + 2 * (lane % 4);
        if (row >= M) continue;
        T* out = d + static_cast<long long>(row) * N + col;
        const float v0 = acc[i][j][2 * half], v1 = acc[i][j][2 * half + 1];
        if (paired && col + 1 < N) {
          Vec<T, 2> v;
          v.v[0] = from_float<T>(v0);
          v.v[1] = from_float<T>(v1);
          *reinterpret_cast<Vec<T, 2>*>(out) = v;
        } else {
          if (col < N) out[0] = from_float<T>(v0);
          if (col + 1 < N) out[1] = from_float<T>(v1);
        }
      }
}

// The trusted reference (tkbench/gemm_reference.cuh), with gemm_sm80's arguments.
template <typename T, BLayout B_LAYOUT>
__global__ void gemm_sm80_reference(const T* __restrict__ a, const T* __restrict__ b, float* __restrict__ d, int M,
                                    int N, int K) {
  gemm_reference_tile<T, B_LAYOUT>(a, b, d, M, N, K);
}

}  // namespace tkb
