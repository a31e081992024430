#pragma once
// The trusted GEMM reference (any arch): a 16 x 16 block computes a 16 x 16
// tile of D through shared memory, fp32 sums in k order, fp32 output. No
// tensor cores, no TMA, no swizzle: it shares nothing with the kernels it checks.
// A is M x K; B is N x K (nk) or K x N (kn); rows are padded to 16 bytes
// (round_up(K, 8) or round_up(N, 8) elements), as tkbench's gemm manifests
// declare them. Launch: grid (ceil_div(N, 16), ceil_div(M, 16)), block (16, 16).
#include "tkbench/gemm_tiles.cuh"
#include "tkbench/vec.cuh"

namespace tkb {

template <typename T, BLayout B_LAYOUT>
__device__ __forceinline__ void gemm_reference_tile(const T* __restrict__ a, const T* __restrict__ b,
                                                    float* __restrict__ d, int M, int N, int K) {
  __shared__ float as[16][17], bs[16][17];
  const long long ld = (K + 7) / 8 * 8, ld_kn = (N + 7) / 8 * 8;
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int row = blockIdx.y * 16 + ty, col = blockIdx.x * 16 + tx;
  const int b_row = blockIdx.x * 16 + ty;  // B's row loaded by this thread: D's column
  float sum = 0.f;
  for (int k0 = 0; k0 < K; k0 += 16) {
    as[ty][tx] = row < M && k0 + tx < K ? to_float(a[row * ld + k0 + tx]) : 0.f;
    if constexpr (B_LAYOUT == BLayout::nk)
      bs[ty][tx] = b_row < N && k0 + tx < K ? to_float(b[b_row * ld + k0 + tx]) : 0.f;
    else  // B(k, n) into bs[n][k] as well, read along N's contiguous rows
      bs[tx][ty] = col < N && k0 + ty < K ? to_float(b[(k0 + ty) * ld_kn + col]) : 0.f;
    __syncthreads();
#pragma unroll
    for (int k = 0; k < 16; ++k) sum += as[ty][k] * bs[tx][k];
    __syncthreads();
  }
  if (row < M && col < N) d[static_cast<long long>(row) * N + col] = sum;
}

}  // namespace tkb
