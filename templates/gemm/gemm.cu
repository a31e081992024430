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
// With SWAP_AB = 1 (gemm_splitk, M of 16 to 128), wgmma computes D^T = B * A^T:
// B's BN rows are wgmma's 64-row side and A's BM rows its N (16, 32, 64 or
// 128), so a skinny A tile is not padded to 64 rows in every stage and the
// freed shared memory holds more stages in flight. The loads do not change;
// the epilogue writes the transposed accumulators from registers.
//
// Hopper path (sm_90a), warp-specialised:
// - warpgroup 0 is the producer: one thread walks the block's tiles and k-blocks
//   and issues TMA copies of A's BM x BK and B's BN x BK tiles into a ring of
//   STAGES buffers; each stage has a `full` barrier (the copies' bytes landed)
//   and an `empty` barrier (every consumer warp is done reading it).
// - warpgroups 1..CONSUMERS are consumers: each owns BM / CONSUMERS rows of the
//   block tile, waits for a full stage, issues wgmma over its BK / 16 k-steps,
//   keeps one k-block of wgmma in flight and releases the stage before last.
//   After the last k-block it writes its fp32 accumulators, rounded to T, to D:
//   with TMA_STORE, 64 x 64 blocks at a time through two staging tiles of its
//   own in shared memory, each stored by TMA (which clips at D's edges) while
//   the next is written, and still running while the consumer starts its next
//   tile; without it (or when D's rows are not 16-byte multiples apart, as TMA
//   needs), straight from registers to global memory, guarded at the edges
//   (16 bytes a lane where D's rows allow: accumulator_rows.cuh).
// The producer gives registers to the consumers (setmaxnreg): it needs few.
// With MIN_BLOCKS = 2 (skinny shapes: small tiles, many blocks), two blocks
// share an SM, each thread keeps the 128 registers the launch bounds give it
// and setmaxnreg is skipped: its pool per block could not serve the raise.
//
// With CLUSTER_M x CLUSTER_N > 1, a thread-block cluster takes CLUSTER_M
// vertically by CLUSTER_N horizontally adjacent tiles. The CLUSTER_M blocks of
// a tile column share its B tile: each loads 1 / CLUSTER_M of the B box's rows,
// multicast into all of them; the CLUSTER_N blocks of a tile row share A the
// same way. So B crosses from L2 once per CLUSTER_M blocks and A once per
// CLUSTER_N: skinny shapes, where every tile column reads all of A, halve or
// quarter their largest L2 traffic. A block's stage is written by the blocks of
// its tile row and column, so it is reloaded only when the consumers of all of
// them have released it: a consumer warp arrives on the `empty` barriers of
// every block that writes into its own (CLUSTER_M + CLUSTER_N - 1 blocks).
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
#include "tkbench/accumulator_rows.cuh"
#include "tkbench/gemm_reference.cuh"
#include "tkbench/gemm_tiles.cuh"
#include "tkbench/hopper.cuh"
#include "tkbench/vec.cuh"

namespace tkb {

// A TMA-store epilogue's staging: two 64 x 64-element (8 KB) tiles per consumer
// warpgroup, in D's tensor map's 128-byte swizzle; none without it.
template <typename T, int CONSUMERS, int TMA_STORE>
struct GemmStaging {
  using Tile = SharedTile<T, 64, 128 / static_cast<int>(sizeof(T)), 128>;
  Tile tile[CONSUMERS][2];
};
template <typename T, int CONSUMERS>
struct GemmStaging<T, CONSUMERS, 0> {};

template <typename T, int BM, int BN, int BK, int STAGES, int SWIZZLE, BLayout B_LAYOUT, int CONSUMERS, int TMA_STORE>
struct GemmShared {
  using TileA = SharedTile<T, BM, BK, SWIZZLE>;
  using TileB = typename GemmTileB<T, BN, BK, SWIZZLE, B_LAYOUT>::type;
  TileA a[STAGES];
  TileB b[STAGES];
  GemmStaging<T, CONSUMERS, TMA_STORE> staging;
  Mbarrier full[STAGES];
  Mbarrier empty[STAGES];
};

// One consumer warpgroup's 64-row accumulators (kSubtiles of them) to rows
// row0.. and columns col0.. of D through its two staging tiles: each 64 x 64
// block is written to a staging tile and stored by TMA (one thread issues and
// tracks the stores); a tile is written again only once its last store has
// read it. Named barrier `barrier` (128 threads) orders the warpgroup.
template <typename Tile, int BN, int kSubtiles>
__device__ __forceinline__ void store_tile_through_shared(Accumulator<BN> (&acc)[kSubtiles], Tile (&staging)[2],
                                                          const TensorMap& d_map, int row0, int col0, int barrier,
                                                          bool issuer) {
  static_assert(BN % Tile::kCols == 0, "the tile's columns are whole staging tiles");
  constexpr int kBlocks = BN / Tile::kCols;
#pragma unroll
  for (int i = 0; i < kSubtiles; ++i)
#pragma unroll
    for (int j = 0; j < kBlocks; ++j) {
      const int step = i * kBlocks + j;
      Tile& tile = staging[step % 2];
      if (issuer) {
        if (step == 0)
          tma_store_wait_read<0>();  // the last tile's stores, long done, whichever staging tile they used
        else if (step >= 2)
          tma_store_wait_read<1>();  // the store before last used this staging tile
      }
      named_barrier_sync(barrier, kWarpgroupThreads);  // the staging tile is free
      store_accumulator(acc[i], j * Tile::kCols, tile);
      fence_async_shared();
      named_barrier_sync(barrier, kWarpgroupThreads);  // ... and written
      if (issuer) {
        tma_store_2d(d_map, tile.data, col0 + j * Tile::kCols, row0 + i * 64);
        tma_store_commit();
      }
    }
}

// A consumer warpgroup's accumulators (its kSubtiles 64-row tiles from row
// row0, columns from col0) straight to D, guarded at the edges: where D's rows
// are 16-byte aligned, 8 columns a lane, whole sectors (accumulator_rows.cuh);
// else pairs of adjacent columns as one 4-byte store where the rows allow it.
template <typename T, int N_ACC, int kSubtiles>
__device__ __forceinline__ void store_from_registers(const Accumulator<N_ACC> (&acc)[kSubtiles], T* d, int row0,
                                                     int col0, int M, int N) {
  if constexpr (sizeof(T) == 2 && N_ACC % 16 == 0) {
    if (N % 8 == 0) {  // col0 is a multiple of BN, itself of 16
#pragma unroll
      for (int i = 0; i < kSubtiles; ++i) store_accumulator_rows(acc[i], d, N, row0 + i * 64, col0, M, N);
      return;
    }
  }
  const bool paired = N % 2 == 0;
#pragma unroll
  for (int i = 0; i < kSubtiles; ++i) {
#pragma unroll
    for (int r = 0; r < Accumulator<N_ACC>::kRegisters; r += 2) {
      const int row = row0 + i * 64 + Accumulator<N_ACC>::row(r);
      const int col = col0 + Accumulator<N_ACC>::col(r);
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

// The same for swapped operands: the accumulators hold D^T, so a register's
// row is a column of D (from n0) and its column a row (from m0). Lanes l and
// l + 4 hold adjacent columns of one row of D: each store is one element, and
// 8 lanes of a warp write 8 contiguous ones (D is small here: M <= 128).
template <typename T, int N_ACC, int kSubtiles>
__device__ __forceinline__ void store_transposed_from_registers(const Accumulator<N_ACC> (&acc)[kSubtiles], T* d,
                                                                int n0, int m0, int M, int N) {
#pragma unroll
  for (int i = 0; i < kSubtiles; ++i) {
#pragma unroll
    for (int r = 0; r < Accumulator<N_ACC>::kRegisters; ++r) {
      const int n = n0 + i * 64 + Accumulator<N_ACC>::row(r), m = m0 + Accumulator<N_ACC>::col(r);
      if (m < M && n < N) d[static_cast<long long>(m) * N + n] = from_float<T>(acc[i].d[r]);
    }
  }
}

// The two cluster barriers of split K's reduction, for threads with no sums to give.
__device__ __forceinline__ void split_k_barriers() {
  cluster_arrive();
  cluster_wait();
  cluster_arrive();
  cluster_wait();
}

// A cluster of CLUSTER_M x CLUSTER_N blocks: block `rank` takes tile row m
// (rank % CLUSTER_M) and column n (rank / CLUSTER_M) of the cluster's tiles.
template <int CLUSTER_M, int CLUSTER_N>
struct ClusterTiles {
  static constexpr int kBlocks = CLUSTER_M * CLUSTER_N;
  unsigned rank, m, n;
  __device__ __forceinline__ ClusterTiles()
      : rank(kBlocks > 1 ? cluster_block_rank() : 0u), m(rank % CLUSTER_M), n(rank / CLUSTER_M) {}
  // The blocks of this one's tile row (they share its A tile) and of its tile column (B).
  __device__ __forceinline__ unsigned short row_mask() const {
    unsigned mask = 0;
#pragma unroll
    for (int j = 0; j < CLUSTER_N; ++j) mask |= 1u << (m + j * CLUSTER_M);
    return static_cast<unsigned short>(mask);
  }
  __device__ __forceinline__ unsigned short column_mask() const {
    return static_cast<unsigned short>(((1u << CLUSTER_M) - 1) << (n * CLUSTER_M));
  }
};

// A consumer warp's release of a stage: to its own block, or in a cluster to
// every block that loads into it (its tile row and column, itself once).
template <int CLUSTER_M, int CLUSTER_N>
__device__ __forceinline__ void release_stage(Mbarrier& empty, const ClusterTiles<CLUSTER_M, CLUSTER_N>& cluster) {
  if constexpr (CLUSTER_M * CLUSTER_N == 1) {
    empty.arrive();
  } else {
    const unsigned writers = cluster.row_mask() | cluster.column_mask();
#pragma unroll
    for (int r = 0; r < CLUSTER_M * CLUSTER_N; ++r)
      if (writers >> r & 1u) empty.arrive_in_block(r);
  }
}

// The consumer warpgroups' barrier (named barrier 1: 0 is __syncthreads').
template <int CONSUMERS>
__device__ __forceinline__ void consumers_sync() {
  named_barrier_sync(1, CONSUMERS * kWarpgroupThreads);
}

template <typename T, int BM, int BN, int BK, int STAGES, int CONSUMERS, int SWIZZLE, int GROUP_M,
          BLayout B_LAYOUT = BLayout::nk, int SPLIT_K = 1, int TMA_STORE = 0, int CLUSTER_M = 1, int MIN_BLOCKS = 1,
          int SWAP_AB = 0, int CLUSTER_N = 1>
__global__ void __launch_bounds__((CONSUMERS + 1) * kWarpgroupThreads, MIN_BLOCKS)
gemm(const T* __restrict__ a_unused, const T* __restrict__ b_unused, T* __restrict__ d,
     const __grid_constant__ TensorMap a_map, const __grid_constant__ TensorMap b_map,
     const __grid_constant__ TensorMap d_map, int M, int N, int K) {
  // wgmma's sides: its 64-row tiles span kMmaRows (BM, or B's BN when
  // swapped) and its N is kMmaN (BN, or A's BM).
  constexpr int kMmaRows = SWAP_AB ? BN : BM, kMmaN = SWAP_AB ? BM : BN;
  static_assert(kMmaRows % (64 * CONSUMERS) == 0, "each consumer warpgroup owns whole 64-row wgmma tiles");
  static_assert(BK % 16 == 0 && kMmaN % 16 == 0 && kMmaN <= 256, "wgmma: k-steps of 16, N a multiple of 16 up to 256 (the generated widths)");
  static_assert(!SWAP_AB || (B_LAYOUT == BLayout::nk && !TMA_STORE),
                "swapped operands: B N x K, the epilogue from registers");
  constexpr int kRowsPerConsumer = kMmaRows / CONSUMERS;
  constexpr int kSubtiles = kRowsPerConsumer / 64;  // m64 wgmma tiles per consumer
  constexpr int kKSteps = BK / 16;
  static_assert(!(TMA_STORE && SPLIT_K > 1), "split K's first block stores from registers");
  using Cluster = ClusterTiles<CLUSTER_M, CLUSTER_N>;
  static_assert((CLUSTER_M == 1 || CLUSTER_M == 2) && (CLUSTER_N == 1 || CLUSTER_N == 2 || CLUSTER_N == 4),
                "clusters of 1 or 2 tile rows and 1, 2 or 4 tile columns");
  static_assert(Cluster::kBlocks == 1 || SPLIT_K == 1, "one kind of cluster: split K or tiles sharing A and B");
  static_assert(MIN_BLOCKS == 1 || MIN_BLOCKS == 2, "one block per SM (setmaxnreg) or two");
  using Shared = GemmShared<T, BM, BN, BK, STAGES, SWIZZLE, B_LAYOUT, CONSUMERS, TMA_STORE>;
  using TileA = typename Shared::TileA;
  using TileB = typename Shared::TileB;
  constexpr unsigned kStageBytes = TileA::kBytes + TileB::kBytes;  // whole boxes, zero-filled parts included
  // In a cluster each block loads and multicasts kBRows of every B box's rows and kARows of A's.
  constexpr int kBRows = TileB::kRows / CLUSTER_M, kARows = TileA::kRows / CLUSTER_N;
  static_assert(kBRows % 8 == 0 && kARows % 8 == 0, "a box's share starts on the swizzle pattern's 8-row period");

  Shared& shared = shared_storage<Shared>();
  const int tiles_m = (M + BM - 1) / BM, tiles_n = (N + BN - 1) / BN;
  // Work items: tiles, or in a cluster its CLUSTER_M x CLUSTER_N tiles (those
  // past M or N read zeros where their boxes lie outside, and store nothing).
  const int cluster_rows = (tiles_m + CLUSTER_M - 1) / CLUSTER_M, cluster_cols = (tiles_n + CLUSTER_N - 1) / CLUSTER_N;
  const int tiles = cluster_rows * cluster_cols;
  const Cluster cluster;
  auto block_tile = [&](int t) {
    TilePosition tile = tile_position(t, cluster_rows, cluster_cols, GROUP_M > CLUSTER_M ? GROUP_M / CLUSTER_M : 1);
    tile.m = tile.m * CLUSTER_M + static_cast<int>(cluster.m);
    tile.n = tile.n * CLUSTER_N + static_cast<int>(cluster.n);
    return tile;
  };
  // Split K: block `split` of its cluster takes k-blocks [kb_begin, kb_end) of
  // tile blockIdx.x / SPLIT_K (maybe none, when K is short).
  static_assert(SPLIT_K >= 1 && SPLIT_K <= 8, "a portable cluster has at most 8 blocks");
  const int split = SPLIT_K > 1 ? static_cast<int>(cluster_block_rank()) : 0;
  const int first_tile = blockIdx.x / (SPLIT_K * Cluster::kBlocks), tile_stride = gridDim.x / (SPLIT_K * Cluster::kBlocks);
  const int k_blocks_all = (K + BK - 1) / BK, k_share = (k_blocks_all + SPLIT_K - 1) / SPLIT_K;
  const int kb_begin = split * k_share, kb_end = min(k_blocks_all, kb_begin + k_share);

  if (threadIdx.x == 0) {
    tma_prefetch(a_map);  // the descriptors' fetch overlaps the barriers' setup
    tma_prefetch(b_map);
    for (int s = 0; s < STAGES; ++s) {
      shared.full[s].init_unpublished(1);      // the producer's arrival, plus the bytes
      shared.empty[s].init_unpublished(CONSUMERS * 4 * (CLUSTER_M + CLUSTER_N - 1));  // one arrival per consumer warp of each block loading into it
    }
    mbarrier_publish_inits();
  }
  if constexpr (Cluster::kBlocks > 1) {  // the other blocks' barriers are ready before anything reaches them
    cluster_arrive_relaxed();  // mbarrier_publish_inits released them
    cluster_wait();
  } else {
    __syncthreads();
  }

  const int role = warpgroup_index();
  if (role == 0) {  // producer
    if constexpr (MIN_BLOCKS == 1) warpgroup_registers_decrease<40>();
    if (threadIdx.x != 0) {
      if constexpr (SPLIT_K > 1) split_k_barriers();  // every thread of the cluster takes part
      return;
    }
    PipelineState<STAGES> pipe;
    for (int t = first_tile; t < tiles; t += tile_stride) {
      const TilePosition tile = block_tile(t);
      for (int kb = kb_begin; kb < kb_end; ++kb, pipe.advance()) {
        shared.empty[pipe.stage].wait(pipe.phase ^ 1u);  // a fresh barrier counts as released
        Mbarrier& full = shared.full[pipe.stage];
        full.arrive_expect_bytes(kStageBytes);  // all of A and B: the other blocks' shares land here too
#pragma unroll
        for (int b = 0; b < TileA::kColumnBlocks; ++b) {
          // This block's rows of the box: A's M from cluster.n * kARows.
          void* dst = static_cast<unsigned char*>(shared.a[pipe.stage].box(b)) + cluster.n * kARows * TileA::kSwizzleBytes;
          const int x = kb * BK + b * TileA::kBoxCols, y = tile.m * BM + static_cast<int>(cluster.n) * kARows;
          if constexpr (CLUSTER_N > 1)
            tma_load_2d_multicast(dst, a_map, x, y, full, cluster.row_mask());
          else
            tma_load_2d(dst, a_map, x, y, full);
        }
#pragma unroll
        for (int b = 0; b < TileB::kColumnBlocks; ++b) {
          // This block's rows of the box: B's N (nk) or K (kn) from cluster.m * kBRows.
          void* dst = static_cast<unsigned char*>(shared.b[pipe.stage].box(b)) + cluster.m * kBRows * TileB::kSwizzleBytes;
          const int x = B_LAYOUT == BLayout::nk ? kb * BK + b * TileB::kBoxCols : tile.n * BN + b * TileB::kBoxCols;
          const int y = (B_LAYOUT == BLayout::nk ? tile.n * BN : kb * BK) + static_cast<int>(cluster.m) * kBRows;
          if constexpr (CLUSTER_M > 1)
            tma_load_2d_multicast(dst, b_map, x, y, full, cluster.column_mask());
          else
            tma_load_2d(dst, b_map, x, y, full);
        }
      }
    }
    if constexpr (SPLIT_K > 1) split_k_barriers();
    // The block stays until every consumer it loaded for has released each
    // stage: then the other blocks' arrivals on its barriers, and its
    // multicasts into their stages, have all landed, and it may leave without
    // a cluster barrier (whose release would wait for D's stores).
    if constexpr (Cluster::kBlocks > 1)
      for (int s = 0; s < STAGES; ++s, pipe.advance()) shared.empty[pipe.stage].wait(pipe.phase ^ 1u);
    return;
  }

  // Consumers.
  if constexpr (MIN_BLOCKS == 1) warpgroup_registers_increase<CONSUMERS == 1 ? 240 : 232>();
  const int consumer = role - 1;
  const bool warp_leader = threadIdx.x % 32 == 0;
  PipelineState<STAGES> pipe;
  Accumulator<kMmaN> acc[kSubtiles];
  for (int t = first_tile; t < tiles; t += tile_stride) {
    const TilePosition tile = block_tile(t);
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
          if constexpr (SWAP_AB)
            mma_k16(acc[i], b, consumer * kRowsPerConsumer + i * 64, a, k, kb > kb_begin || k > 0);
          else if constexpr (B_LAYOUT == BLayout::nk)
            mma_k16(acc[i], a, consumer * kRowsPerConsumer + i * 64, b, k, kb > kb_begin || k > 0);
          else
            mma_k16_b_n_major(acc[i], a, consumer * kRowsPerConsumer + i * 64, b, k, kb > kb_begin || k > 0);
        }
      wgmma_commit();
      wgmma_wait<1>();  // the previous k-block's wgmma are done with their stage
      if (previous_stage >= 0 && warp_leader) release_stage(shared.empty[previous_stage], cluster);
      previous_stage = pipe.stage;
    }
    wgmma_wait<0>();
#pragma unroll
    for (int i = 0; i < kSubtiles; ++i) wgmma_fence_operands(acc[i]);
    if (previous_stage >= 0 && warp_leader) release_stage(shared.empty[previous_stage], cluster);

    if constexpr (SPLIT_K > 1) {
      // The other blocks' sums into this one's: each consumer thread leaves its
      // registers in its own stage memory, at the same offsets in every block,
      // and the first block's same thread reads them from each.
      constexpr int kRegisters = Accumulator<kMmaN>::kRegisters, kThreads = CONSUMERS * kWarpgroupThreads;
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

    if constexpr (TMA_STORE) {
      if (N % 8 == 0) {  // D's rows 16-byte multiples apart: its tensor map is valid
        store_tile_through_shared(acc, shared.staging.tile[consumer], d_map, tile.m * BM + consumer * kRowsPerConsumer,
                                  tile.n * BN, 2 + consumer, thread_in_warpgroup() == 0);
        continue;
      }
    }
    if constexpr (SWAP_AB)
      store_transposed_from_registers(acc, d, tile.n * BN + consumer * kRowsPerConsumer, tile.m * BM, M, N);
    else
      store_from_registers(acc, d, tile.m * BM + consumer * kRowsPerConsumer, tile.n * BN, M, N);
  }
  if constexpr (TMA_STORE)
    if (thread_in_warpgroup() == 0) tma_store_wait<0>();  // shared memory stays until the stores have read it
}

// The trusted reference (tkbench/gemm_reference.cuh), with gemm's arguments.
template <typename T, BLayout B_LAYOUT = BLayout::nk>
__global__ void gemm_reference(const T* __restrict__ a, const T* __restrict__ b, float* __restrict__ d,
                               const __grid_constant__ TensorMap, const __grid_constant__ TensorMap,
                               const __grid_constant__ TensorMap, int M, int N, int K) {
  gemm_reference_tile<T, B_LAYOUT>(a, b, d, M, N, K);
}

}  // namespace tkb
