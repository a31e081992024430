// add_rmsnorm: the fused residual add before a norm, fp32 accumulation.
//   s = x + r                     (rounded to T: s is what the next layer adds to)
//   y = s * rsqrt(mean(s^2) + eps) * w
// add_rmsnorm writes y and s to their own buffers; add_rmsnorm_inplace writes
// s over r (r is read and written by the same thread, element for element).
//
// The layout is rmsnorm's (templates/rmsnorm/rmsnorm.cu): a block of
// THREADS x ROWS threads normalises ROWS rows, vector i of a row belongs to
// thread i % THREADS, idle threads past the row's end; a row off a vector
// boundary has a scalar head and tail around its aligned body, and w is
// read shifted to the body's offset (tkbench/row_alignment.cuh). EDGES (set
// by the manifest: N % VEC != 0) compiles that in; 0 keeps whole-vector rows.
// - ITEMS > 0, in registers: each thread loads its ITEMS vectors of x and r
//   at once, stores s, reduces, and writes y from registers: x and r read
//   once, y and s written once.
// - ITEMS == 0, re-read: pass 1 reads x and r, writes s and sums squares;
//   pass 2 reads s back (an L2 hit for rows that fit) and writes y.
// HINT: the cache behaviour of the last read of x, r (or s) and of the
// stores (tkbench/common.cuh's load_hinted / store_hinted). W is w's type.
// WLOAD (ITEMS > 0): 0 reads w at the store, after the reduction; 1 loads it
// into registers with x and r, so its latency hides behind theirs.
#include "tkbench/common.cuh"

namespace tkb {

template <typename T, int VEC, int THREADS, int ROWS, int ITEMS, int HINT, typename W, int WLOAD, int EDGES>
__device__ __forceinline__ void add_rmsnorm_rows(const T* x, const T* r, const W* __restrict__ w, T* y, T* s,
                                                 long long M, long long N, float eps) {
  using V = Vec<T, VEC>;
  using WV = Vec<W, VEC>;
  static_assert(THREADS >= VEC - 1, "a row's head and tail elements, one per thread");

  const long long row = static_cast<long long>(blockIdx.x) * ROWS + threadIdx.y;
  const bool active = row < M;
  const RowSplit split = EDGES ? row_split((active ? row : 0) * N, N, VEC) : RowSplit{0, static_cast<int>(N / VEC), 0};
  const int nvec = split.body;
  const long long body = row * N + split.head;  // the row's first aligned element
  const V* xr = reinterpret_cast<const V*>(x + body);
  const V* rr = reinterpret_cast<const V*>(r + body);
  const WV* wv = reinterpret_cast<const WV*>(w);
  V* yr = reinterpret_cast<V*>(y + body);
  V* sr = reinterpret_cast<V*>(s + body);
  const int tx = threadIdx.x;
  auto weight = [&](int i) { return EDGES ? load_shifted(wv, i, split.head, N) : wv[i]; };

  // This thread's scalar head and tail elements: s = x + r stored and kept (rounded) for y.
  int edge_at[2];
  T edge_s[2];
  float sum_sq = 0.f;
#pragma unroll
  for (int slot = 0; slot < 2; ++slot) {
    edge_at[slot] = EDGES && active ? edge_index(split, tx, slot, VEC) : -1;
    if (edge_at[slot] >= 0) {
      const long long e = row * N + edge_at[slot];
      edge_s[slot] = from_float<T>(to_float(x[e]) + to_float(r[e]));
      s[e] = edge_s[slot];
      const float f = to_float(edge_s[slot]);
      sum_sq += f * f;
    }
  }
  auto store_edges = [&](float scale) {
#pragma unroll
    for (int slot = 0; slot < 2; ++slot)
      if (edge_at[slot] >= 0)
        y[row * N + edge_at[slot]] = from_float<T>(to_float(edge_s[slot]) * scale * to_float(w[edge_at[slot]]));
  };

  static_assert(WLOAD == 0 || ITEMS > 0, "w in registers goes with the row in registers");
  if constexpr (ITEMS > 0) {
    V xs[ITEMS], rs[ITEMS];
    WV ws[WLOAD == 1 ? ITEMS : 1];
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) {
      const int i = it * THREADS + tx;
      if (active && i < nvec) {
        xs[it] = load_hinted<HINT>(xr + i);
        rs[it] = load_hinted<HINT>(rr + i);
        if constexpr (WLOAD == 1) ws[it] = weight(i);
      } else {
        xs[it] = rs[it] = zero_vector<V>();
      }
    }
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) {
      xs[it] = vector_sum(xs[it], rs[it]);  // s, rounded as stored
      sum_sq += sum_squares(xs[it]);
      const int i = it * THREADS + tx;
      if (active && i < nvec) store_hinted<HINT>(sr + i, xs[it]);
    }
    sum_sq = row_sum<THREADS, ROWS>(sum_sq);  // every thread of the block, active or not
    const float scale = rsqrtf(sum_sq / static_cast<float>(N) + eps);
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) {
      const int i = it * THREADS + tx;
      if (active && i < nvec) {
        if constexpr (WLOAD == 1) store_normalised<HINT>(yr + i, xs[it], scale, ws[it]);
        else store_normalised<HINT>(yr + i, xs[it], scale, weight(i));
      }
    }
    store_edges(scale);
  } else {
    if (active)
      for (int i = tx; i < nvec; i += THREADS) {
        const V a = load_hinted<HINT>(xr + i), b = load_hinted<HINT>(rr + i);
        const V sum = vector_sum(a, b);
        sum_sq += sum_squares(sum);
        sr[i] = sum;  // a plain store: pass 2 reads it back from L2
      }
    // Every thread of the block reaches the barrier, active or not.
    sum_sq = row_sum<THREADS, ROWS>(sum_sq);
    const float scale = rsqrtf(sum_sq / static_cast<float>(N) + eps);
    if (active)
      for (int i = tx; i < nvec; i += THREADS)  // s was written by this thread: not the read-only path
        store_normalised<HINT>(yr + i, load_hinted<(HINT == 2 ? 1 : HINT)>(sr + i), scale, weight(i));
    store_edges(scale);
  }
}

// Out of place: reads x, r and w; writes y and s.
template <typename T, int VEC, int THREADS, int ROWS, int ITEMS = 0, int HINT = 0, typename W = T, int WLOAD = 0, int EDGES = 0>
__global__ void __launch_bounds__(THREADS * ROWS)
add_rmsnorm(const T* __restrict__ x, const T* __restrict__ r, const W* __restrict__ w, T* __restrict__ y,
            T* __restrict__ s, long long M, long long N, float eps) {
  add_rmsnorm_rows<T, VEC, THREADS, ROWS, ITEMS, HINT, W, WLOAD, EDGES>(x, r, w, y, s, M, N, eps);
}

// In place: s overwrites r.
template <typename T, int VEC, int THREADS, int ROWS, int ITEMS = 0, int HINT = 0, typename W = T, int WLOAD = 0, int EDGES = 0>
__global__ void __launch_bounds__(THREADS * ROWS)
add_rmsnorm_inplace(const T* __restrict__ x, T* r, const W* __restrict__ w, T* __restrict__ y, long long M,
                    long long N, float eps) {
  add_rmsnorm_rows<T, VEC, THREADS, ROWS, ITEMS, (HINT == 2 ? 1 : HINT), W, WLOAD, EDGES>(x, r, w, y, r, M, N, eps);
}

// Trusted reference: one row per block of 256 threads, s rounded to T as the
// kernel stores it, fp64 sum of squares of s, y in fp32.
template <typename T, typename W, typename S>
__device__ void add_rmsnorm_reference_row(const T* x, const T* r, const W* w, float* y, S* s, long long M,
                                          long long N, float eps) {
  const long long row = blockIdx.x;
  if (row >= M) return;
  double acc = 0;
  for (long long i = threadIdx.x; i < N; i += blockDim.x) {
    const double f = to_float(from_float<T>(to_float(x[row * N + i]) + to_float(r[row * N + i])));
    acc += f * f;
  }
  const double scale = 1.0 / sqrt(reference_block_sum(acc) / static_cast<double>(N) + static_cast<double>(eps));
  for (long long i = threadIdx.x; i < N; i += blockDim.x) {
    const T sum = from_float<T>(to_float(x[row * N + i]) + to_float(r[row * N + i]));
    y[row * N + i] = static_cast<float>(to_float(sum) * scale * to_float(w[i]));
    s[row * N + i] = sum;  // after r[row * N + i] is read: safe in place
  }
}

template <typename T, typename W = T>
__global__ void add_rmsnorm_reference(const T* __restrict__ x, const T* __restrict__ r, const W* __restrict__ w,
                                      float* __restrict__ y, T* __restrict__ s, long long M, long long N, float eps) {
  add_rmsnorm_reference_row<T, W, T>(x, r, w, y, s, M, N, eps);
}

template <typename T, typename W = T>
__global__ void add_rmsnorm_inplace_reference(const T* __restrict__ x, T* r, const W* __restrict__ w,
                                              float* __restrict__ y, long long M, long long N, float eps) {
  add_rmsnorm_reference_row<T, W, T>(x, r, w, y, r, M, N, eps);
}

}  // namespace tkb
