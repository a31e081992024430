#pragma once
// Sums across lanes, across a block's rows, and the plain fp64 block sum references use.

namespace tkb {

// Sum over groups of WIDTH consecutive lanes (WIDTH a power of two <= 32);
// every lane of a group gets the group's sum.
template <int WIDTH>
__device__ __forceinline__ float group_sum(float x) {
#pragma unroll
  for (int offset = WIDTH / 2; offset > 0; offset /= 2) x += __shfl_xor_sync(0xffffffffu, x, offset);
  return x;
}

// Sum of `v` over the THREADS threads of each row of a THREADS x ROWS block
// (threadIdx.x within a row, threadIdx.y the row); every thread gets its
// row's sum. THREADS is a power of two; the block is whole warps. Every
// thread of the block must call it (one __syncthreads when THREADS > 32),
// and once per kernel, or with a __syncthreads between calls (one shared buffer).
template <int THREADS, int ROWS>
__device__ __forceinline__ float row_sum(float v) {
  v = group_sum<(THREADS < 32 ? THREADS : 32)>(v);
  if constexpr (THREADS > 32) {
    constexpr int kWarps = THREADS / 32;
    __shared__ float partial[ROWS][kWarps];
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    if (lane == 0) partial[threadIdx.y][warp] = v;
    __syncthreads();
    v = lane < kWarps ? partial[threadIdx.y][lane] : 0.f;
    v = group_sum<32>(v);
  }
  return v;
}

// Max over groups of WIDTH consecutive lanes, as group_sum.
template <int WIDTH>
__device__ __forceinline__ float group_max(float x) {
#pragma unroll
  for (int offset = WIDTH / 2; offset > 0; offset /= 2) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, offset));
  return x;
}

// row_sum of `sum` and the row's max of `max` together: one exchange through
// shared memory for both (the same rules as row_sum; its own buffer).
template <int THREADS, int ROWS>
__device__ __forceinline__ void row_sum_and_max(float& sum, float& max) {
  sum = group_sum<(THREADS < 32 ? THREADS : 32)>(sum);
  max = group_max<(THREADS < 32 ? THREADS : 32)>(max);
  if constexpr (THREADS > 32) {
    constexpr int kWarps = THREADS / 32;
    __shared__ float2 partial[ROWS][kWarps];
    const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    if (lane == 0) partial[threadIdx.y][warp] = make_float2(sum, max);
    __syncthreads();
    const float2 p = lane < kWarps ? partial[threadIdx.y][lane] : make_float2(0.f, 0.f);
    sum = group_sum<32>(p.x);
    max = group_max<32>(p.y);
  }
}

// For references: the sum of `v` over a block of 256 threads, in fp64, the
// plain way (shared memory, halving strides). Every thread gets it.
__device__ __forceinline__ double reference_block_sum(double v) {
  __shared__ double partial[256];
  partial[threadIdx.x] = v;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  return partial[0];
}

}  // namespace tkb
