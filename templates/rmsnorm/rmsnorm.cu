// rmsnorm: y[r, :] = x[r, :] * rsqrt(mean(x[r, :]^2) + eps) * w, fp32 accumulation.
//
// A block of THREADS x ROWS threads normalises ROWS rows; THREADS threads
// share a row (a sub-warp when THREADS < 32), each moving VEC elements per
// access. Pass 1 sums squares and reduces across the row's threads (shuffles,
// then shared memory across warps); pass 2 re-reads the row (an L2 hit for
// rows that fit) and writes y. Straightforward and correct; making it fast is
// the job of the tuned variants.
#include "tkbench/common.cuh"

namespace tkb {

template <typename T, int VEC, int THREADS, int ROWS>
__global__ void __launch_bounds__(THREADS * ROWS)
rmsnorm(const T* __restrict__ x, const T* __restrict__ w, T* __restrict__ y, long long M, long long N, float eps) {
  using V = Vec<T, VEC>;
  constexpr int kWarps = THREADS >= 32 ? THREADS / 32 : 1;
  __shared__ float partial[ROWS][kWarps];

  const long long row = static_cast<long long>(blockIdx.x) * ROWS + threadIdx.y;
  const bool active = row < M;
  const long long nvec = N / VEC;  // the manifest requires N % VEC == 0
  const V* xr = reinterpret_cast<const V*>(x + row * N);
  const V* wv = reinterpret_cast<const V*>(w);
  V* yr = reinterpret_cast<V*>(y + row * N);

  float sum_sq = 0.f;
  if (active)
    for (long long i = threadIdx.x; i < nvec; i += THREADS) {
      V v = xr[i];
#pragma unroll
      for (int k = 0; k < VEC; ++k) {
        float f = to_float(v.v[k]);
        sum_sq += f * f;
      }
    }

  // Every thread of the block reaches the barriers below, active or not.
  sum_sq = group_sum<(THREADS < 32 ? THREADS : 32)>(sum_sq);
  if constexpr (THREADS > 32) {
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    if (lane == 0) partial[threadIdx.y][warp] = sum_sq;
    __syncthreads();
    sum_sq = lane < kWarps ? partial[threadIdx.y][lane] : 0.f;
    sum_sq = group_sum<32>(sum_sq);
  }
  const float scale = rsqrtf(sum_sq / static_cast<float>(N) + eps);

  if (active)
    for (long long i = threadIdx.x; i < nvec; i += THREADS) {
      V v = xr[i], g = wv[i], out;
#pragma unroll
      for (int k = 0; k < VEC; ++k) out.v[k] = from_float<T>(to_float(v.v[k]) * scale * to_float(g.v[k]));
      yr[i] = out;
    }
}

// Trusted reference: one row per block of 256 threads, fp64 sum, fp32 output.
template <typename T>
__global__ void rmsnorm_reference(const T* __restrict__ x, const T* __restrict__ w, float* __restrict__ y, long long M,
                                  long long N, float eps) {
  __shared__ double partial[256];
  const long long row = blockIdx.x;
  if (row >= M) return;
  double s = 0;
  for (long long i = threadIdx.x; i < N; i += blockDim.x) {
    double f = to_float(x[row * N + i]);
    s += f * f;
  }
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  const double scale = 1.0 / sqrt(partial[0] / static_cast<double>(N) + static_cast<double>(eps));
  for (long long i = threadIdx.x; i < N; i += blockDim.x)
    y[row * N + i] = static_cast<float>(to_float(x[row * N + i]) * scale * to_float(w[i]));
}

}  // namespace tkb
