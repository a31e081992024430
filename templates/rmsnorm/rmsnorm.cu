// rmsnorm: y[r, :] = x[r, :] * rsqrt(mean(x[r, :]^2) + eps) * w, fp32 accumulation.
//
// A block of THREADS x ROWS threads normalises ROWS rows; THREADS threads
// share a row (a sub-warp when THREADS < 32), each moving VEC elements per
// access; vector i of a row belongs to thread i % THREADS. The row's sum of
// squares is reduced across its threads (shuffles, then shared memory across
// warps). Rows with fewer vectors than THREADS * ITEMS leave the last threads
// idle; N % VEC == 0 is the manifest's, so every vector is whole.
//
// Two ways to hold the row:
// - ITEMS == 0, re-read: pass 1 sums squares; pass 2 re-reads the row (an L2
//   hit for rows that fit) and writes y. The plain hand-written kernel.
// - ITEMS > 0, in registers: each thread loads its ITEMS vectors at once
//   (ITEMS * THREADS * VEC >= N), reduces, and normalises from registers: one
//   pass over global memory and every load of the row in flight together.
//
// HINT picks the cache behaviour of the last touch of x and of y's stores
// (load_hinted / store_hinted in tkbench/common.cuh); w is read through the
// read-only path and stays in L1/L2 for the next rows. W is w's type: T, or
// float for an fp32 weight.
#include "tkbench/common.cuh"

namespace tkb {

template <typename T, int VEC, int THREADS, int ROWS, int ITEMS = 0, int HINT = 0, typename W = T>
__global__ void __launch_bounds__(THREADS * ROWS)
rmsnorm(const T* __restrict__ x, const W* __restrict__ w, T* __restrict__ y, long long M, long long N, float eps) {
  using V = Vec<T, VEC>;
  using WV = Vec<W, VEC>;

  const long long row = static_cast<long long>(blockIdx.x) * ROWS + threadIdx.y;
  const bool active = row < M;
  const long long nvec = N / VEC;  // the manifest requires N % VEC == 0
  const V* xr = reinterpret_cast<const V*>(x + row * N);
  const WV* wv = reinterpret_cast<const WV*>(w);
  V* yr = reinterpret_cast<V*>(y + row * N);
  const int tx = threadIdx.x;

  if constexpr (ITEMS > 0) {
    V xs[ITEMS];
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) {
      const long long i = static_cast<long long>(it) * THREADS + tx;
      if (active && i < nvec) xs[it] = load_hinted<HINT>(xr + i);
      else
#pragma unroll
        for (int k = 0; k < VEC; ++k) xs[it].v[k] = from_float<T>(0.f);
    }
    float sum_sq = 0.f;
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) sum_sq += sum_squares(xs[it]);
    sum_sq = row_sum<THREADS, ROWS>(sum_sq);  // every thread of the block, active or not
    const float scale = rsqrtf(sum_sq / static_cast<float>(N) + eps);
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) {
      const long long i = static_cast<long long>(it) * THREADS + tx;
      if (active && i < nvec) store_normalised<HINT>(yr + i, xs[it], scale, wv[i]);
    }
  } else {
    float sum_sq = 0.f;
    if (active)
      for (long long i = tx; i < nvec; i += THREADS) sum_sq += sum_squares(xr[i]);  // plain loads: pass 2 wants the row in L2
    // Every thread of the block reaches the barrier, active or not.
    sum_sq = row_sum<THREADS, ROWS>(sum_sq);
    const float scale = rsqrtf(sum_sq / static_cast<float>(N) + eps);
    if (active)
      for (long long i = tx; i < nvec; i += THREADS) store_normalised<HINT>(yr + i, load_hinted<HINT>(xr + i), scale, wv[i]);
  }
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
