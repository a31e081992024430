// tkbench's own device kernels: filling inputs with random numbers, poisoning
// outputs, comparing against the reference, flushing L2, converting types.
// Compiled by NVRTC once per dtype and cached like any template instance.
#include "tkbench/common.cuh"

namespace tkb_runtime {

// Counter-based random numbers: the value at index i depends only on (seed, i),
// so a fill is deterministic and needs no state.
__device__ __forceinline__ unsigned long long mix64(unsigned long long z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
__device__ __forceinline__ double unit_uniform(unsigned long long seed, long long i, int stream) {
  // 53 random bits in (0, 1): never exactly 0, so log() below is finite.
  unsigned long long bits = mix64(seed ^ mix64(static_cast<unsigned long long>(i) * 2 + stream));
  return (static_cast<double>(bits >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

template <typename T> __device__ __forceinline__ T from_double(double v) { return static_cast<T>(v); }
template <> __device__ __forceinline__ __half from_double<__half>(double v) { return __double2half(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_double<__nv_bfloat16>(double v) { return __double2bfloat16(v); }
template <typename T> __device__ __forceinline__ double to_double(T v) { return static_cast<double>(v); }
template <> __device__ __forceinline__ double to_double<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ double to_double<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }

// kind 0: normal(a, b) by Box-Muller; kind 1: uniform(a, b).
template <typename T>
__global__ void fill_random(T* p, long long n, unsigned long long seed, int kind, double a, double b) {
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    double u1 = unit_uniform(seed, i, 0);
    double v;
    if (kind == 0) {
      double u2 = unit_uniform(seed, i, 1);
      v = a + b * sqrt(-2.0 * log(u1)) * cospi(2.0 * u2);
    } else {
      v = a + (b - a) * u1;
    }
    p[i] = from_double<T>(v);
  }
}

// Copies src into dst converting the type: the reference gets the same inputs
// in its own precision.
template <typename S, typename D>
__global__ void convert(const S* src, D* dst, long long n) {
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x)
    dst[i] = from_double<D>(to_double(src[i]));
}

// Accumulators of one comparison, in device memory.
struct CompareSums {
  double sum_sq_diff;
  double sum_sq_ref;
  double max_abs_diff;       // as bits: atomicMax on non-negative doubles via long long
  unsigned long long nonfinite;
  unsigned long long first_bad;  // smallest index whose error exceeds elem_tol, or non-finite
};

__device__ __forceinline__ void atomic_max_nonneg(double* addr, double v) {
  // Non-negative doubles order like their bit patterns as signed integers.
  atomicMax(reinterpret_cast<long long*>(addr), __double_as_longlong(v));
}

// Test output T against reference output R. An element is bad when either
// value is not finite where the reference is, or |diff| > elem_tol.
template <typename T, typename R>
__global__ void compare(const T* test, const R* ref, long long n, double elem_tol, CompareSums* out) {
  double sq_diff = 0, sq_ref = 0, max_abs = 0;
  unsigned long long nonfinite = 0, first_bad = ~0ull;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    double t = to_double(test[i]), r = to_double(ref[i]);
    if (!isfinite(t) || !isfinite(r)) {
      if (!(isnan(t) && isnan(r)) && !(isinf(t) && t == r)) {
        ++nonfinite;
        if (static_cast<unsigned long long>(i) < first_bad) first_bad = i;
      }
      continue;
    }
    double d = fabs(t - r);
    sq_diff += d * d;
    sq_ref += r * r;
    max_abs = fmax(max_abs, d);
    if (d > elem_tol && static_cast<unsigned long long>(i) < first_bad) first_bad = i;
  }
  // Reduce within the warp, then one atomic per warp.
  for (int o = 16; o > 0; o /= 2) {
    sq_diff += __shfl_xor_sync(0xffffffffu, sq_diff, o);
    sq_ref += __shfl_xor_sync(0xffffffffu, sq_ref, o);
    max_abs = fmax(max_abs, __shfl_xor_sync(0xffffffffu, max_abs, o));
    nonfinite += __shfl_xor_sync(0xffffffffu, nonfinite, o);
    unsigned long long other = __shfl_xor_sync(0xffffffffu, first_bad, o);
    first_bad = other < first_bad ? other : first_bad;
  }
  if ((threadIdx.x & 31) == 0) {
    atomicAdd(&out->sum_sq_diff, sq_diff);
    atomicAdd(&out->sum_sq_ref, sq_ref);
    atomic_max_nonneg(&out->max_abs_diff, max_abs);
    atomicAdd(&out->nonfinite, nonfinite);
    atomicMin(&out->first_bad, first_bad);
  }
}

// Reads `n` 16-byte words and writes nothing useful: pushes everything else
// out of L2 with clean lines (a memset would leave dirty lines whose
// write-back lands inside the next timed kernel).
__global__ void flush_l2(const int4* p, long long n, int* sink) {
  int acc = 0;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    int4 v = __ldcg(p + i);
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (acc == 0x7fffffff) *sink = acc;  // keeps the loads alive; practically never true
}

}  // namespace tkb_runtime
