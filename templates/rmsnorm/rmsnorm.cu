// rmsnorm: y[r, :] = x[r, :] * rsqrt(mean(x[r, :]^2) + eps) * w, fp32 accumulation.
//
// A block of THREADS x ROWS threads normalises ROWS rows; THREADS threads
// share a row (a sub-warp when THREADS < 32), each moving VEC elements per
// access. With CLUSTER > 1 (sm_90 thread-block clusters, launched with
// cluster dims CLUSTER x 1 x 1) a row is split into CLUSTER consecutive parts,
// one per block of the cluster; the blocks add their partial sums of squares
// through distributed shared memory. Within a block's part, vector i belongs
// to thread i % THREADS, so every warp access is 32 consecutive vectors:
// coalesced in global memory and bank-conflict free in shared memory (the
// minimum wavefronts; no swizzle needed for this layout). Threads past a
// row's end idle.
//
// Any N (tkbench/row_alignment.cuh): row r starts at element r * N, off a
// vector boundary when N % VEC != 0. Its first `head` (< VEC) elements and
// last `tail` (< VEC) are scalar, one per thread of the cluster's first
// block; the body between is whole aligned vectors, the layout above. w is
// aligned at its start, so it meets a body at an offset of `head` elements:
// it is read as aligned vectors and shifted into place in registers
// (load_shifted). The bulk copies of the body need 16-byte vectors there;
// w in shared memory (WLOAD == 2) needs rows of whole 16-byte pieces (the
// manifest's constraints). EDGES (the manifest sets it: N % VEC != 0)
// compiles this in; with EDGES == 0 every row is whole vectors, as before.
//
// Where the row is held while its sum of squares is reduced:
// - ITEMS > 0, registers: each thread loads its ITEMS vectors at once
//   (ITEMS * THREADS * VEC * CLUSTER >= N), reduces, and normalises from
//   registers: one pass over global memory, every load in flight together.
// - ROW_SMEM == 1, shared memory: one thread starts a bulk copy of the block's
//   rows (cp.async.bulk, the copy engine) into dynamic shared memory; the
//   threads wait on an mbarrier, then read the row there twice. No register
//   limit on the bytes in flight: for rows too long for registers. With
//   ROW_GROUPS > 1 a block normalises ROW_GROUPS groups of ROWS rows one after another
//   through two buffers: the copy of group k + 1 is in flight while group k
//   is reduced and written, so loads never pause between rows.
// - ITEMS > 0 and ROW_SMEM == 1, split: the first ITEMS * THREADS vectors of the
//   block's part in registers, the rest bulk-copied to shared memory. A row
//   of 128 KB fits neither in one block's registers nor twice in an SM's
//   shared memory; half in each lets two rows be in flight per SM, with
//   no cluster (blocks of up to 512 threads ask the compiler for 2 per SM).
// - ITEMS == 0 and ROW_SMEM == 0, re-read: pass 1 sums squares; pass 2 re-reads
//   the row (an L2 hit for rows that fit) and writes y. The plain kernel.
//
// WLOAD, how w reaches the threads: 0 read at the store, after the reduction
// (one more round trip per row, from L1/L2); 1 loaded into registers with x
// (ITEMS > 0), so its latency hides behind x's; 2 bulk-copied into shared
// memory once per block, alongside x.
//
// HINT picks the cache behaviour of the last touch of x and of y's stores
// (load_hinted / store_hinted in tkbench/common.cuh); w is read through the
// read-only path and stays in L1/L2 for the next rows. W is w's type: T, or
// float for an fp32 weight.
#include "tkbench/common.cuh"

namespace tkb {

// The row's sum of squares from each thread's share: the block's threads of
// the row, then (CLUSTER > 1) the cluster's blocks. Every thread of every
// block calls it. With a cluster it leaves an arrival pending that the caller
// matches with cluster_wait() before calling it again or exiting, so that no
// block overwrites or frees its partial sum while another still reads it.
template <int THREADS, int ROWS, int CLUSTER>
__device__ __forceinline__ float row_sum_of_squares(float v) {
  v = row_sum<THREADS, ROWS>(v);
  if constexpr (CLUSTER > 1) {
    __shared__ float block_partial[ROWS];
    if (threadIdx.x == 0) block_partial[threadIdx.y] = v;
    cluster_arrive();
    cluster_wait();
    v = 0.f;
#pragma unroll
    for (int b = 0; b < CLUSTER; ++b) v += load_from_cluster_block(&block_partial[threadIdx.y], b);  // same order everywhere
    cluster_arrive();
  }
  return v;
}

template <typename T, int VEC, int THREADS, int ROWS, int ITEMS = 0, int HINT = 0, typename W = T, int WLOAD = 0,
          int CLUSTER = 1, int ROW_SMEM = 0, int ROW_GROUPS = 1, int EDGES = 0>
__global__ void __launch_bounds__(THREADS * ROWS, (ROW_SMEM == 1 && ITEMS > 0 && THREADS * ROWS <= 512) ? 2 : 1)
rmsnorm(const T* __restrict__ x, const W* __restrict__ w, T* __restrict__ y, long long M, long long N, float eps) {
  using V = Vec<T, VEC>;
  using WV = Vec<W, VEC>;
  static_assert(!(WLOAD == 1 && ITEMS == 0), "w in registers goes with the row in registers");
  static_assert(!(WLOAD == 1 && ROW_SMEM == 1), "w in registers covers only a row held wholly in registers");
  static_assert(!(ROW_SMEM == 1 && ITEMS > 0 && ROW_GROUPS > 1), "a row split between registers and shared memory is not pipelined");
  static_assert(ROW_GROUPS == 1 || ROW_SMEM == 1, "several row groups per block go through shared memory");
  static_assert(THREADS >= VEC - 1, "a row's head and tail elements, one per thread");
  constexpr bool kBulk = ROW_SMEM == 1 || WLOAD == 2;
  constexpr int kBuffers = ROW_GROUPS > 1 ? 2 : 1;

  const int part_index = CLUSTER > 1 ? static_cast<int>(cluster_block_rank()) : 0;
  const long long group = static_cast<long long>(blockIdx.x / CLUSTER) * ROW_GROUPS;  // this block's first group of ROWS rows
  const int nvec = static_cast<int>(N / VEC);       // whole vectors of the longest body (a row's head may take one)
  const int part = (nvec + CLUSTER - 1) / CLUSTER;  // body vectors per block of the cluster
  const int first = part_index * part;              // this block's first vector of a body
  const bool edges = part_index == 0;               // the cluster's first block takes the scalar head and tail
  // Split rows (ITEMS > 0, ROW_SMEM == 1): the first kInRegisters of them in registers, the rest staged.
  constexpr int kInRegisters = ROW_SMEM == 1 ? ITEMS * THREADS : 0;
  const int staged_len = part - kInRegisters;  // staged vectors per row (buffer stride)
  const int tx = threadIdx.x;
  auto split_of = [&](long long row) { return EDGES ? row_split(row * N, N, VEC) : RowSplit{0, nvec, 0}; };
  auto mine_of = [&](const RowSplit& s) { return max(0, min(part, s.body - first)); };  // body vectors this block owns
  auto body_of = [&](const T* base, long long row, const RowSplit& s) {  // the row's first aligned vector
    return reinterpret_cast<const V*>(base + row * N + s.head);
  };
  // Rows of group g that exist (the last group may be short).
  auto rows_in = [&](long long g) { return static_cast<int>(max(0LL, min(static_cast<long long>(ROWS), M - g * ROWS))); };

  // Shared memory for the bulk copies: [w's part if WLOAD == 2][kBuffers x ROWS rows of `staged_len` vectors if ROW_SMEM].
  // WLOAD == 2 is for rows of whole 16-byte pieces (the manifest's): every head is 0, w needs no shift.
  extern __shared__ __align__(128) unsigned char staged[];
  const WV* w_shared = reinterpret_cast<const WV*>(staged);
  V* x_shared = reinterpret_cast<V*>(staged + (WLOAD == 2 ? part * sizeof(WV) : 0));
  const int mine_w = max(0, min(part, nvec - first));  // w's vectors of this block's part
  unsigned long long* arrived = nullptr;  // per buffer: completes once its bulk copies have landed
  const bool leader = threadIdx.x == 0 && threadIdx.y == 0;
  // Starts the copies of group g into buffer b (and of w with the first group).
  auto start_copies = [&](long long g, int b, bool with_w) {
    const int rows = rows_in(g);
    unsigned bytes = with_w ? mine_w * sizeof(WV) : 0;
    if constexpr (ROW_SMEM == 1) {
      for (int r = 0; r < rows; ++r) bytes += max(0, mine_of(split_of(g * ROWS + r)) - kInRegisters) * sizeof(V);
    }
    mbarrier_arrive_expect_bytes(&arrived[b], bytes);
    if (with_w && mine_w > 0)
      bulk_copy_to_shared(const_cast<WV*>(w_shared), reinterpret_cast<const WV*>(w) + first, mine_w * sizeof(WV), &arrived[b]);
    if constexpr (ROW_SMEM == 1) {
      for (int r = 0; r < rows; ++r) {
        const long long row = g * ROWS + r;
        const RowSplit s = split_of(row);
        const int staged_here = mine_of(s) - kInRegisters;
        if (staged_here > 0)
          bulk_copy_to_shared(x_shared + (b * ROWS + r) * staged_len, body_of(x, row, s) + first + kInRegisters,
                              staged_here * sizeof(V), &arrived[b]);
      }
    }
  };
  if constexpr (kBulk) {
    __shared__ __align__(8) unsigned long long barriers[kBuffers];  // static storage: the pointer stays valid below
    arrived = barriers;
    if (leader)
      for (int b = 0; b < kBuffers; ++b) mbarrier_init(&arrived[b], 1);
    __syncthreads();
    if (leader) start_copies(group, 0, WLOAD == 2);
  }
  // w's VEC elements for body vector i of this block's part, of a row whose head is `head`.
  auto weight = [&](int i, int head) -> WV {
    if constexpr (WLOAD == 2) return w_shared[i];
    else if constexpr (EDGES == 0) return reinterpret_cast<const WV*>(w)[first + i];
    else return load_shifted(reinterpret_cast<const WV*>(w) + first, i, head, N - static_cast<long long>(first) * VEC);
  };
  // The row's scalar head and tail elements of this thread (edge_index), as fp32, and their sum of squares.
  auto load_edges = [&](long long row, const RowSplit& s, bool active) {
    RowEdges e;
    e.sum_sq = 0.f;
    for (int slot = 0; slot < 2; ++slot) {
      e.at[slot] = EDGES && active && edges ? edge_index(s, tx, slot, VEC) : -1;
      e.v[slot] = e.at[slot] >= 0 ? to_float(x[row * N + e.at[slot]]) : 0.f;
      e.sum_sq += e.v[slot] * e.v[slot];
    }
    return e;
  };
  auto store_edges = [&](long long row, const RowEdges& e, float scale) {
    for (int slot = 0; slot < 2; ++slot)
      if (e.at[slot] >= 0) y[row * N + e.at[slot]] = from_float<T>(e.v[slot] * scale * to_float(w[e.at[slot]]));
  };

  if constexpr (ROW_SMEM == 1 && ITEMS == 0) {
    for (int k = 0; k < ROW_GROUPS; ++k) {
      const long long g = group + k;
      if (rows_in(g) == 0) break;  // the same for every block of a cluster
      const int b = k % kBuffers;
      if (ROW_GROUPS > 1 && leader && k + 1 < ROW_GROUPS && rows_in(g + 1) > 0) start_copies(g + 1, 1 - b, false);
      const long long row = g * ROWS + threadIdx.y;
      const bool active = row < M;
      const RowSplit s = split_of(active ? row : 0);
      const int mine = mine_of(s);
      const RowEdges edge = load_edges(row, s, active);
      mbarrier_wait(&arrived[b], (k / kBuffers) & 1);
      const V* srow = x_shared + (b * ROWS + threadIdx.y) * staged_len;
      V* yr = const_cast<V*>(body_of(y, row, s)) + first;
      float sum_sq = edge.sum_sq;
      if (active) {
#pragma unroll 4
        for (int i = tx; i < mine; i += THREADS) sum_sq += sum_squares(srow[i]);
      }
      sum_sq = row_sum_of_squares<THREADS, ROWS, CLUSTER>(sum_sq);
      const float scale = rsqrtf(sum_sq / static_cast<float>(N) + eps);
      if (active) {
#pragma unroll 4
        for (int i = tx; i < mine; i += THREADS) store_normalised<HINT>(yr + i, srow[i], scale, weight(i, s.head));
      }
      store_edges(row, edge, scale);
      if constexpr (CLUSTER > 1) cluster_wait();  // matches row_sum_of_squares' last arrival
      if constexpr (ROW_GROUPS > 1) __syncthreads();    // buffer b is free for the copy started next round
    }
    return;
  }

  const long long row = group * ROWS + threadIdx.y;
  const bool active = row < M;
  const RowSplit s = split_of(active ? row : 0);
  const int mine = mine_of(s);
  const V* xr = body_of(x, row, s) + first;
  V* yr = const_cast<V*>(body_of(y, row, s)) + first;
  if constexpr (ITEMS > 0) {
    V xs[ITEMS];
    WV ws[WLOAD == 1 ? ITEMS : 1];
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) {
      const int i = it * THREADS + tx;
      if (active && i < mine) {
        xs[it] = load_hinted<HINT>(xr + i);
        if constexpr (WLOAD == 1) ws[it] = weight(i, s.head);
      } else {
        xs[it] = zero_vector<V>();
      }
    }
    const RowEdges edge = load_edges(row, s, active);
    float sum_sq = edge.sum_sq;
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) sum_sq += sum_squares(xs[it]);
    const V* srow = x_shared + threadIdx.y * staged_len;  // split rows: the staged rest
    const int mine_staged = mine - kInRegisters;
    if constexpr (ROW_SMEM == 1) {
      mbarrier_wait(&arrived[0], 0);
      if (active) {
#pragma unroll 4
        for (int i = tx; i < mine_staged; i += THREADS) sum_sq += sum_squares(srow[i]);
      }
    }
    sum_sq = row_sum_of_squares<THREADS, ROWS, CLUSTER>(sum_sq);  // every thread of the block, active or not
    const float scale = rsqrtf(sum_sq / static_cast<float>(N) + eps);
    if constexpr (WLOAD == 2 && ROW_SMEM == 0) mbarrier_wait(&arrived[0], 0);
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) {
      const int i = it * THREADS + tx;
      if (active && i < mine) {
        if constexpr (WLOAD == 1) store_normalised<HINT>(yr + i, xs[it], scale, ws[it]);
        else store_normalised<HINT>(yr + i, xs[it], scale, weight(i, s.head));
      }
    }
    if constexpr (ROW_SMEM == 1) {
      if (active) {
#pragma unroll 4
        for (int i = tx; i < mine_staged; i += THREADS)
          store_normalised<HINT>(yr + kInRegisters + i, srow[i], scale, weight(kInRegisters + i, s.head));
      }
    }
    store_edges(row, edge, scale);
  } else {
    const RowEdges edge = load_edges(row, s, active);
    float sum_sq = edge.sum_sq;
    if (active) {
#pragma unroll 4
      for (int i = tx; i < mine; i += THREADS) sum_sq += sum_squares(xr[i]);  // plain loads: pass 2 wants the row in L2
    }
    sum_sq = row_sum_of_squares<THREADS, ROWS, CLUSTER>(sum_sq);
    const float scale = rsqrtf(sum_sq / static_cast<float>(N) + eps);
    if constexpr (WLOAD == 2) mbarrier_wait(&arrived[0], 0);
    if (active) {
#pragma unroll 4
      for (int i = tx; i < mine; i += THREADS)
        store_normalised<HINT>(yr + i, load_hinted<HINT>(xr + i), scale, weight(i, s.head));
    }
    store_edges(row, edge, scale);
  }
  if constexpr (CLUSTER > 1) cluster_wait();  // matches row_sum_of_squares' last arrival
}

// Trusted reference: one row per block of 256 threads, fp64 sum, fp32 output.
template <typename T, typename W = T>
__global__ void rmsnorm_reference(const T* __restrict__ x, const W* __restrict__ w, float* __restrict__ y, long long M,
                                  long long N, float eps) {
  const long long row = blockIdx.x;
  if (row >= M) return;
  double s = 0;
  for (long long i = threadIdx.x; i < N; i += blockDim.x) {
    double f = to_float(x[row * N + i]);
    s += f * f;
  }
  const double scale = 1.0 / sqrt(reference_block_sum(s) / static_cast<double>(N) + static_cast<double>(eps));
  for (long long i = threadIdx.x; i < N; i += blockDim.x)
    y[row * N + i] = static_cast<float>(to_float(x[row * N + i]) * scale * to_float(w[i]));
}

}  // namespace tkb
