// gemm: D = A * B^T with A (M x K) and B (N x K) both K-contiguous (B as a
// linear layer's weight is stored), fp32 accumulation, D (M x N) in T.
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
// elements apart; the tensor maps' dims are the true K, and the padding is never read.
#include "tkbench/hopper.cuh"
#include "tkbench/vec.cuh"

namespace tkb {

template <typename T, int BM, int BN, int BK, int STAGES, int SWIZZLE>
struct GemmShared {
  using TileA = SharedTile<T, BM, BK, SWIZZLE>;
  using TileB = SharedTile<T, BN, BK, SWIZZLE>;
  TileA a[STAGES];
  TileB b[STAGES];
  Mbarrier full[STAGES];
  Mbarrier empty[STAGES];
};

// Tile t's position (tile row, tile column) in the grouped order.
struct TilePosition {
  int m, n;
};
__device__ __forceinline__ TilePosition tile_position(int t, int tiles_m, int tiles_n, int group_m) {
  const int per_group = group_m * tiles_n;
  const int first_m = (t / per_group) * group_m;
  const int rows_here = min(group_m, tiles_m - first_m);
  const int in_group = t % per_group;
  return {first_m + in_group % rows_here, in_group / rows_here};
}

template <typename T, int BM, int BN, int BK, int STAGES, int CONSUMERS, int SWIZZLE, int GROUP_M>
__global__ void __launch_bounds__((CONSUMERS + 1) * kWarpgroupThreads, 1)
gemm(const T* __restrict__ a_unused, const T* __restrict__ b_unused, T* __restrict__ d,
     const __grid_constant__ TensorMap a_map, const __grid_constant__ TensorMap b_map, int M, int N, int K) {
  static_assert(BM % (64 * CONSUMERS) == 0, "each consumer warpgroup owns whole 64-row wgmma tiles");
  static_assert(BK % 16 == 0 && BN % 32 == 0 && BN <= 256, "wgmma: k-steps of 16, N up to 256");
  constexpr int kRowsPerConsumer = BM / CONSUMERS;
  constexpr int kSubtiles = kRowsPerConsumer / 64;  // m64 wgmma tiles per consumer
  constexpr int kKSteps = BK / 16;
  using Shared = GemmShared<T, BM, BN, BK, STAGES, SWIZZLE>;
  using TileA = typename Shared::TileA;
  using TileB = typename Shared::TileB;
  constexpr unsigned kStageBytes = TileA::kBytes + TileB::kBytes;  // whole boxes, zero-filled parts included

  Shared& shared = shared_storage<Shared>();
  const int tiles_m = (M + BM - 1) / BM, tiles_n = (N + BN - 1) / BN, tiles = tiles_m * tiles_n;
  const int k_blocks = (K + BK - 1) / BK;

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
    if (threadIdx.x != 0) return;
    tma_prefetch(a_map);
    tma_prefetch(b_map);
    PipelineState<STAGES> pipe;
    for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
      const TilePosition tile = tile_position(t, tiles_m, tiles_n, GROUP_M);
      for (int kb = 0; kb < k_blocks; ++kb, pipe.advance()) {
        shared.empty[pipe.stage].wait(pipe.phase ^ 1u);  // a fresh barrier counts as released
        Mbarrier& full = shared.full[pipe.stage];
        full.arrive_expect_bytes(kStageBytes);
#pragma unroll
        for (int b = 0; b < TileA::kColumnBlocks; ++b)
          tma_load_2d(shared.a[pipe.stage].box(b), a_map, kb * BK + b * TileA::kBoxCols, tile.m * BM, full);
#pragma unroll
        for (int b = 0; b < TileB::kColumnBlocks; ++b)
          tma_load_2d(shared.b[pipe.stage].box(b), b_map, kb * BK + b * TileB::kBoxCols, tile.n * BN, full);
      }
    }
    return;
  }

  // Consumers.
  warpgroup_registers_increase<CONSUMERS == 1 ? 240 : 232>();
  const int consumer = role - 1;
  const bool warp_leader = threadIdx.x % 32 == 0;
  PipelineState<STAGES> pipe;
  Accumulator<BN> acc[kSubtiles];
  for (int t = blockIdx.x; t < tiles; t += gridDim.x) {
    const TilePosition tile = tile_position(t, tiles_m, tiles_n, GROUP_M);
    int previous_stage = -1;
    for (int kb = 0; kb < k_blocks; ++kb, pipe.advance()) {
      shared.full[pipe.stage].wait(pipe.phase);
      const TileA& a = shared.a[pipe.stage];
      const TileB& b = shared.b[pipe.stage];
      wgmma_fence();
#pragma unroll
      for (int k = 0; k < kKSteps; ++k)
#pragma unroll
        for (int i = 0; i < kSubtiles; ++i)
          mma_k16(acc[i], a, consumer * kRowsPerConsumer + i * 64, b, k, kb > 0 || k > 0);
      wgmma_commit();
      wgmma_wait<1>();  // the previous k-block's wgmma are done with their stage
      if (previous_stage >= 0 && warp_leader) shared.empty[previous_stage].arrive();
      previous_stage = pipe.stage;
    }
    wgmma_wait<0>();
#pragma unroll
    for (int i = 0; i < kSubtiles; ++i) wgmma_fence_operands(acc[i]);
    if (warp_leader) shared.empty[previous_stage].arrive();

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

// Trusted reference: 16 x 16 output tiles through shared memory, fp32 sums in
// k order, fp32 output. No tensor cores, no TMA: shares nothing with gemm.
template <typename T>
__global__ void gemm_reference(const T* __restrict__ a, const T* __restrict__ b, float* __restrict__ d,
                               const __grid_constant__ TensorMap, const __grid_constant__ TensorMap, int M, int N, int K) {
  __shared__ float as[16][17], bs[16][17];
  const long long ld = (K + 7) / 8 * 8;
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int row = blockIdx.y * 16 + ty, col = blockIdx.x * 16 + tx;
  const int b_row = blockIdx.x * 16 + ty;  // B's row loaded by this thread: D's column
  float sum = 0.f;
  for (int k0 = 0; k0 < K; k0 += 16) {
    as[ty][tx] = row < M && k0 + tx < K ? to_float(a[row * ld + k0 + tx]) : 0.f;
    bs[ty][tx] = b_row < N && k0 + tx < K ? to_float(b[b_row * ld + k0 + tx]) : 0.f;
    __syncthreads();
#pragma unroll
    for (int k = 0; k < 16; ++k) sum += as[ty][k] * bs[tx][k];
    __syncthreads();
  }
  if (row < M && col < N) d[static_cast<long long>(row) * N + col] = sum;
}

}  // namespace tkb
