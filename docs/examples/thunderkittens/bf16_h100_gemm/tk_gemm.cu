// tkbench's side of the ThunderKittens example (docs/thunderkittens.md). The
// kernel is ThunderKittens' own, from the user's checkout: its headers through
// --include-dir, and the device part of kernels/gemm/bf16_h100/bf16_h100_gemm.cu
// (matmul_template) cut out by the manifest's [[excerpts]]. Only the reference
// below is ours.
#include "kittens.cuh"
#include "prototype.cuh"
#include "bf16_h100_gemm_device.cuh"

// Trusted reference: C = A * B with A (M x K) and B (K x N) row-major, as the
// ThunderKittens benchmark lays them out. 16 x 16 output tiles through shared
// memory, fp32 sums in k order, fp32 output; no tensor cores, no TMA.
__global__ void gemm_kn_reference(const __nv_bfloat16* a, const __nv_bfloat16* b, float* c, int M, int N, int K) {
  __shared__ float as[16][17], bs[16][17];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int row = blockIdx.y * 16 + ty, col = blockIdx.x * 16 + tx;
  float sum = 0.f;
  for (int k0 = 0; k0 < K; k0 += 16) {
    as[ty][tx] = row < M && k0 + tx < K ? __bfloat162float(a[static_cast<long long>(row) * K + k0 + tx]) : 0.f;
    bs[ty][tx] = k0 + ty < K && col < N ? __bfloat162float(b[static_cast<long long>(k0 + ty) * N + col]) : 0.f;
    __syncthreads();
#pragma unroll
    for (int k = 0; k < 16; ++k) sum += as[ty][k] * bs[k][tx];
    __syncthreads();
  }
  if (row < M && col < N) c[static_cast<long long>(row) * N + col] = sum;
}
