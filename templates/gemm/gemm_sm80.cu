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
// The loop is one straight run of instructions per k-block, so the scheduler
// can mix loads into the multiplies: each k-step (16 of BK) issues its share
// of the next copies (AsyncTileCopy: per-thread addresses worked out once, no
// branch) and its ldmatrix (SwizzledLane: the swizzle worked out once). With
// PREFETCH, fragments are double-buffered: step k + 1's load while step k's
// mma.sync run, and the barrier sits before the last step's multiplies, so the
// next k-block's first fragments are on their way while they run.
// MIN_BLOCKS is __launch_bounds__'s: 2 caps registers so two blocks share an SM.
// WHOLE_CHUNKS (rows of A and B a multiple of 8 elements long): every chunk is
// all in or all out of its matrix, so a copy is a predicate, not a byte count.
//
// Any M, N, K: a chunk past M, N or K copies only its valid bytes and zero-fills
// the rest (cp.async's source size; with WHOLE_CHUNKS only whole chunks), so
// tails add nothing to the sums, and the stores are guarded. Rows are round_up(K, 8) (B K x N: round_up(N, 8))
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

template <typename T, int BM, int BN, int BK, int WM, int WN, int STAGES, int SWIZZLE, int GROUP_M,
          BLayout B_LAYOUT, bool PREFETCH, int MIN_BLOCKS, bool WHOLE_CHUNKS>
__global__ void __launch_bounds__(BM / WM * (BN / WN) * 32, MIN_BLOCKS)
gemm_sm80(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ d, int M, int N, int K) {
  static_assert(BM % WM == 0 && BN % WN == 0, "whole warp tiles");
  static_assert(WM % 16 == 0 && WN % 16 == 0 && BK % 32 == 0, "mma tiles of 16 x 8 x 16, B loaded 16 columns at a time, an even number of k-steps");
  static_assert(STAGES >= 2, "at least one k-block in flight while another is multiplied");
  constexpr int kWarpsN = BN / WN;
  constexpr int kThreads = BM / WM * kWarpsN * 32;
  constexpr int kTilesM = WM / 16, kTilesN = WN / 8;  // mma tiles per warp
  constexpr int kSteps = BK / 16;                     // k-steps per k-block
  constexpr int kBuffers = PREFETCH ? 2 : 1;          // fragment sets in registers
  using Shared = GemmSm80Shared<T, BM, BN, BK, STAGES, SWIZZLE, B_LAYOUT>;
  using TileA = typename Shared::TileA;
  using TileB = typename Shared::TileB;
  constexpr bool kNK = B_LAYOUT == BLayout::nk;

  Shared& shared = shared_storage<Shared>();
  const int tiles_m = (M + BM - 1) / BM, tiles_n = (N + BN - 1) / BN;
  const TilePosition tile = tile_position(blockIdx.x, tiles_m, tiles_n, GROUP_M);
  const int m0 = tile.m * BM, n0 = tile.n * BN;
  const long long ld_a = (K + 7) / 8 * 8;
  const long long ld_b = kNK ? ld_a : (N + 7) / 8 * 8;
  const int k_blocks = (K + BK - 1) / BK;

  const AsyncTileCopy<kThreads, TileA> copy_a(a, ld_a);
  const AsyncTileCopy<kThreads, TileB> copy_b(b, ld_b);
  const unsigned a_tiles = shared_address(&shared.a[0]), b_tiles = shared_address(&shared.b[0]);
  // Part `part` of `parts` of k-block kb's copies into stage `stage`. A k-block
  // at or past k_blocks reads nothing and fills its stage with zeros, never read:
  // the copies need no branch, so they mix with the multiplies.
  auto copy_k_block = [&](int kb, int stage, int part, int parts) {
#pragma unroll
    for (int p = part; p < copy_a.kPasses; p += parts) copy_a.template copy<WHOLE_CHUNKS>(p, a_tiles + stage * sizeof(TileA), m0, kb * BK, M, K);
#pragma unroll
    for (int p = part; p < copy_b.kPasses; p += parts) {
      if constexpr (kNK)
        copy_b.template copy<WHOLE_CHUNKS>(p, b_tiles + stage * sizeof(TileB), n0, kb * BK, N, K);
      else
        copy_b.template copy<WHOLE_CHUNKS>(p, b_tiles + stage * sizeof(TileB), kb * BK, n0, K, N);
    }
  };

  // STAGES - 1 k-blocks in flight before the first multiply; a commit group
  // per k-block even past the last one, so the counts agree.
#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    copy_k_block(s, s, 0, 1);
    cp_async_commit();
  }

  const int warp = threadIdx.x / 32;
  const int warp_m0 = warp / kWarpsN * WM, warp_n0 = warp % kWarpsN * WN;
  const SwizzledLane<TileA> lane_a = a_fragment_lane<TileA>(warp_m0);
  const SwizzledLane<TileB> lane_b = kNK ? b_nk_fragment_lane<TileB>(warp_n0) : b_kn_fragment_lane<TileB>();
  unsigned af[kBuffers][kTilesM][4], bf[kBuffers][kTilesN / 2][4];
  // k-step k's fragments of the k-block in stage `stage` into set `buf`.
  auto load_fragments = [&](int buf, int stage, int k) {
    const unsigned ta = a_tiles + stage * sizeof(TileA), tb = b_tiles + stage * sizeof(TileB);
#pragma unroll
    for (int i = 0; i < kTilesM; ++i) load_a_fragment(af[buf][i], ta, lane_a, 16 * i, 16 * k);
#pragma unroll
    for (int j = 0; j < kTilesN / 2; ++j) {
      if constexpr (kNK)
        load_b_fragments_nk(bf[buf][j], tb, lane_b, 16 * j, 16 * k);
      else
        load_b_fragments_kn(bf[buf][j], tb, lane_b, warp_n0 + 16 * j, 16 * k);
    }
  };
  // The next k-block landed (this thread's chunks, then everyone's), and
  // everyone is done reading the stage the next copies overwrite.
  auto wait_k_block = [] {
    cp_async_wait<STAGES - 2>();
    __syncthreads();
  };
  auto next_stage = [](int s) { return s + 1 == STAGES ? 0 : s + 1; };

  // PREFETCH: step k + 1's fragments load while step k multiplies, across
  // k-blocks too (the next stage's first step loads right after the barrier,
  // before the last step's multiplies): ldmatrix's latency stays hidden.
  // Otherwise each step loads its own fragments, then multiplies.
  float acc[kTilesM][kTilesN][4] = {};
  int read = 0, write = STAGES - 1;  // the stage multiplied, the stage being filled
  if constexpr (PREFETCH) {
    wait_k_block();
    load_fragments(0, read, 0);
  }
  for (int kb = 0; kb < k_blocks; ++kb) {
    if constexpr (!PREFETCH) wait_k_block();
#pragma unroll
    for (int k = 0; k < kSteps; ++k) {
      // A share of the copies STAGES - 1 k-blocks ahead at each step, between the multiplies.
      copy_k_block(kb + STAGES - 1, write, k, kSteps);
      if (k == kSteps - 1) cp_async_commit();
      if constexpr (PREFETCH) {
        if (k == kSteps - 1) {
          wait_k_block();
          read = next_stage(read);
        }
        // After the last k-block this reads a stage of zeros, harmlessly: no branch.
        load_fragments((k + 1) % 2, read, (k + 1) % kSteps);
      } else {
        load_fragments(0, read, k);
      }
      const int buf = PREFETCH ? k % 2 : 0;
      // Serpentine over the mma tiles: consecutive mmas share an operand.
#pragma unroll
      for (int i = 0; i < kTilesM; ++i)
#pragma unroll
        for (int jj = 0; jj < kTilesN; ++jj) {
          const int j = i % 2 ? kTilesN - 1 - jj : jj;
          MmaSync<T>::run(acc[i][j], af[buf][i], bf[buf][j / 2][2 * (j % 2)], bf[buf][j / 2][2 * (j % 2) + 1]);
        }
    }
    write = next_stage(write);
    if constexpr (!PREFETCH) read = next_stage(read);
  }
  cp_async_wait<0>();  // no copy outlives the block (the tail groups fill unused stages)

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
