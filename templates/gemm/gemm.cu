// gemm: D = A * B^T with A (M x K) and B (N x K) both K-contiguous (B as a
// linear layer's weight is stored), fp32 accumulation, D (M x N) in T.
// With B_LAYOUT = BLayout::kn (gemm_kn.toml), B is K x N, N contiguous, and
// D = A * B: B's tiles are BK x BN SharedTiles read by wgmma's transposed-B
// mode; nothing else changes.
// With SPLIT_K > 1 (gemm_splitk.toml, for skinny shapes: few tiles, long K),
// SPLIT_K blocks of one thread-block cluster share a tile, each taking a
// contiguous share of its k-blocks; the other blocks leave their fp32 sums in
// their (now idle) stage buffers and the cluster's first block adds them up
// through distributed shared memory and writes D. One tile per block.
//
// Hopper path (sm_90a), warp-specialised:
// - warpgroup 0 is the producer: one thread walks the block's tiles and k-blocks
//   and issues TMA copies of A's BM x BK and B's BN x BK tiles into a ring of
//   STAGES buffers; each stage has a `full` barrier (the copies' bytes landed)
//   and an `empty` barrier (every consumer warp is done reading it).
// - warpgroups 1..CONSUMERS are consumers: each owns BM / CONSUMERS rows of the
//   block tile, waits for a full stage, issues wgmma over its BK / 16 k-steps,
//   keeps one k-block of wgmma in flight and releases the stage before last.
//   After the last k-block it writes its fp32 accumulators, rounded to T,
//   straight to global memory, guarded at the edges of D.
// The producer gives registers to the consumers (setmaxnreg): it needs few.
//
// Tiles are ordered in groups of GROUP_M tile rows (all of a group's tile rows
// for one tile column, then the next column), so the blocks running together
// share A's rows and B's columns in L2. A block takes tiles blockIdx.x,
// blockIdx.x + gridDim.x, ...: one tile when the grid covers them all, several
// when the grid is the SM count (persistent; the producer then loads the next
// tile's stages while the consumers store the last one).
//
// Any M, N, K: TMA fills the parts of a box past M, N or K with zeros (so tails
// add nothing to the sums), and the stores are guarded. TMA needs row strides
// that are multiples of 16 bytes, so A's and B's rows are `ld` = round_up(K, 8)
// elements apart (B's, K x N: round_up(N, 8)); the tensor maps' dims are the
// true sizes, and the padding is never read.
#include "tkbench/gemm_reference.cuh"
#include "tkbench/gemm_tiles.cuh"
#include "tkbench/hopper.cuh"
#include "tkbench/vec.cuh"

namespace tkb {

template <typename T, int BM, int BN, int BK, int STAGES, int SWIZZLE, BLayout B_LAYOUT>
struct GemmShared {
  using TileA = SharedTile<T, BM, BK, SWIZZLE>;
  using TileB = typename GemmTileB<T, BN, BK, SWIZZLE, B_LAYOUT>::type;
  TileA a[STAGES];
  TileB b[STAGES];
  Mbarrier full[STAGES];
  Mbarrier empty[STAGES];
};

// The two cluster barriers of split K's reduction, for threads with no sums to give.
__device__ __forceinline__ void split_k_barriers() {
  cluster_arrive();
  cluster_wait();
  cluster_arrive();
  cluster_wait();
}

// The consumer warpgroups' barrier (named barrier 1: 0 is __syncthreads').
template <int CONSUMERS>
__device__ __forceinline__ void consumers_sync() {
  asm volatile("bar.sync 1, %0;" ::"n"(CONSUMERS * kWarpgroupThreads) : "memory");
}

template <typename T, int BM, int BN, int BK, int STAGES, int CONSUMERS, int SWIZZLE, int GROUP_M,
          BLayout B_LAYOUT = BLayout::nk, int SPLIT_K = 1>
__global__ void __launch_bounds__((CONSUMERS + 1) * kWarpgroupThreads, 1)
gemm(const T* __restrict__ a_unused, const T* __restrict__ b_unused, T* __restrict__ d,
     const __grid_constant__ TensorMap a_map, const __grid_constant__ TensorMap b_map, int M, int N, int K) {
  static_assert(BM % (64 * CONSUMERS) == 0, "each consumer warpgroup owns whole 64-row wgmma tiles");
  static_assert(BK % 16 == 0 && BN % 32 == 0 && BN <= 256, "wgmma: k-steps of 16, N up to 256");
  constexpr int kRowsPerConsumer = BM / CONSUMERS;
  constexpr int kSubtiles = kRowsPerConsumer / 64;  // m64 wgmma tiles per consumer
  constexpr int kKSteps = BK / 16;
  using Shared = GemmShared<T, BM, BN, BK, STAGES, SWIZZLE, B_LAYOUT>;
  using TileA = typename Shared::TileA;
  using TileB = typename Shared::TileB;
  constexpr unsigned kStageBytes = TileA::kBytes + TileB::kBytes;  // whole boxes, zero-filled parts included

  Shared& shared = shared_storage<Shared>();
  const int tiles_m = (M + BM - 1) / BM, tiles_n = (N + BN - 1) / BN, tiles = tiles_m * tiles_n;
  // Split K: block `split` of its cluster takes k-blocks [kb_begin, kb_end) of
  // tile blockIdx.x / SPLIT_K (maybe none, when K is short).
  static_assert(SPLIT_K >= 1 && SPLIT_K <= 8, "a portable cluster has at most 8 blocks");
  const int split = SPLIT_K > 1 ? static_cast<int>(cluster_block_rank()) : 0;
  const int first_tile = blockIdx.x / SPLIT_K, tile_stride = gridDim.x / SPLIT_K;
  const int k_blocks_all = (K + BK - 1) / BK, k_share = (k_blocks_all + SPLIT_K - 1) / SPLIT_K;
  const int kb_begin = split * k_share, kb_end = min(k_blocks_all, kb_begin + k_share);

  if (threadIdx.x == 0) {
    for (int s = 0; s < STAGES; ++s) {
      shared.full[s].init(1);                  // the producer's arrival, plus the bytes
      shared.empty[s].init(CONSUMERS * 4);     // one arrival per consumer warp
    }
  }
  __syncthreads();

  const int role = warpgroup_index();
  if (role == 0) {  // producer
    warpgroup_registers_decrease<40>();
    if (threadIdx.x != 0) {
      if constexpr (SPLIT_K > 1) split_k_barriers();  // every thread of the cluster takes part
      return;
    }
    tma_prefetch(a_map);
    tma_prefetch(b_map);
    PipelineState<STAGES> pipe;
    for (int t = first_tile; t < tiles; t += tile_stride) {
      const TilePosition tile = tile_position(t, tiles_m, tiles_n, GROUP_M);
      for (int kb = kb_begin; kb < kb_end; ++kb, pipe.advance()) {
        shared.empty[pipe.stage].wait(pipe.phase ^ 1u);  // a fresh barrier counts as released
        Mbarrier& full = shared.full[pipe.stage];
        full.arrive_expect_bytes(kStageBytes);
#pragma unroll
        for (int b = 0; b < TileA::kColumnBlocks; ++b)
          tma_load_2d(shared.a[pipe.stage].box(b), a_map, kb * BK + b * TileA::kBoxCols, tile.m * BM, full);
#pragma unroll
        for (int b = 0; b < TileB::kColumnBlocks; ++b) {
          if constexpr (B_LAYOUT == BLayout::nk)
            tma_load_2d(shared.b[pipe.stage].box(b), b_map, kb * BK + b * TileB::kBoxCols, tile.n * BN, full);
          else
            tma_load_2d(shared.b[pipe.stage].box(b), b_map, tile.n * BN + b * TileB::kBoxCols, kb * BK, full);
        }
      }
    }
    if constexpr (SPLIT_K > 1) split_k_barriers();
    return;
  }

  // Consumers.
  warpgroup_registers_increase<CONSUMERS == 1 ? 240 : 232>();
  const int consumer = role - 1;
  const bool warp_leader = threadIdx.x % 32 == 0;
  PipelineState<STAGES> pipe;
  Accumulator<BN> acc[kSubtiles];
  for (int t = first_tile; t < tiles; t += tile_stride) {
    const TilePosition tile = tile_position(t, tiles_m, tiles_n, GROUP_M);
    int previous_stage = -1;
    for (int kb = kb_begin; kb < kb_end; ++kb, pipe.advance()) {
      shared.full[pipe.stage].wait(pipe.phase);
      const TileA& a = shared.a[pipe.stage];
      const TileB& b = shared.b[pipe.stage];
      wgmma_fence();
#pragma unroll
      for (int k = 0; k < kKSteps; ++k)
#pragma unroll
        for (int i = 0; i < kSubtiles; ++i) {
          if constexpr (B_LAYOUT == BLayout::nk)
            mma_k16(acc[i], a, consumer * kRowsPerConsumer + i * 64, b, k, kb > kb_begin || k > 0);
          else
            mma_k16_b_n_major(acc[i], a, consumer * kRowsPerConsumer + i * 64, b, k, kb > kb_begin || k > 0);
        }
      wgmma_commit();
      wgmma_wait<1>();  // the previous k-block's wgmma are done with their stage
      if (previous_stage >= 0 && warp_leader) shared.empty[previous_stage].arrive();
      previous_stage = pipe.stage;
    }
    wgmma_wait<0>();
#pragma unroll
    for (int i = 0; i < kSubtiles; ++i) wgmma_fence_operands(acc[i]);
    if (previous_stage >= 0 && warp_leader) shared.empty[previous_stage].arrive();

    if constexpr (SPLIT_K > 1) {
      // The other blocks' sums into this one's: each consumer thread leaves its
      // registers in its own stage memory, at the same offsets in every block,
      // and the first block's same thread reads them from each.
      constexpr int kRegisters = Accumulator<BN>::kRegisters, kThreads = CONSUMERS * kWarpgroupThreads;
      static_assert(kSubtiles * kRegisters * kThreads * 4 <= STAGES * (TileA::kBytes + TileB::kBytes),
                    "the partial sums fit in the idle stages");
      float* partial = reinterpret_cast<float*>(shared.a);
      const int thread = threadIdx.x - kWarpgroupThreads;
      if (kb_begin >= kb_end)  // no k-blocks here: no wgmma wrote the accumulators
#pragma unroll
        for (int i = 0; i < kSubtiles; ++i)
#pragma unroll
          for (int r = 0; r < kRegisters; ++r) acc[i].d[r] = 0.f;
      consumers_sync<CONSUMERS>();  // every consumer's wgmma are done with the stages
      if (split != 0)
#pragma unroll
        for (int i = 0; i < kSubtiles; ++i)
#pragma unroll
          for (int r = 0; r < kRegisters; ++r) partial[(i * kRegisters + r) * kThreads + thread] = acc[i].d[r];
      cluster_arrive();
      cluster_wait();  // the partial sums are visible across the cluster
      if (split == 0)
        for (int s = 1; s < SPLIT_K; ++s) {
          const unsigned remote = cluster_shared_address(partial + thread, s);
#pragma unroll
          for (int i = 0; i < kSubtiles; ++i)
#pragma unroll
            for (int r = 0; r < kRegisters; ++r)
              acc[i].d[r] += load_cluster_shared(remote + (i * kRegisters + r) * kThreads * 4);
        }
      cluster_arrive();
      cluster_wait();  // ... and read: the other blocks may exit
      if (split != 0) continue;
    }

    // Epilogue: pairs of adjacent columns as one 4-byte store where D's rows allow it.
    const bool paired = N % 2 == 0;
#pragma unroll
    for (int i = 0; i < kSubtiles; ++i) {
      const int row0 = tile.m * BM + consumer * kRowsPerConsumer + i * 64;
#pragma unroll
      for (int r = 0; r < Accumulator<BN>::kRegisters; r += 2) {
        const int row = row0 + Accumulator<BN>::row(r);
        const int col = tile.n * BN + Accumulator<BN>::col(r);
        if (row >= M) continue;
        T* out = d + static_cast<long long>(row) * N + col;
        if (paired && col + 1 < N) {
          Vec<T, 2> v;
          v.v[0] = from_float<T>(acc[i].d[r]);
          v.v[1] = from_float<T>(acc[i].d[r + 1]);
          *reinterpret_cast<Vec<T, 2>*>(out) = v;
        } else {
          if (col < N) out[0] = from_float<T>(acc[i].d[r]);
          if (col + 1 < N) out[1] = from_float<T>(acc[i].d[r + 1]);
        }
      }
    }
  }
}

// The trusted reference (tkbench/gemm_reference.cuh), with gemm's arguments.
template <typename T, BLayout B_LAYOUT = BLayout::nk>
__global__ void gemm_reference(const T* __restrict__ a, const T* __restrict__ b, float* __restrict__ d,
                               const __grid_constant__ TensorMap, const __grid_constant__ TensorMap, int M, int N, int K) {
  gemm_reference_tile<T, B_LAYOUT>(a, b, d, M, N, K);
}

}  // namespace tkb
