// tkbench's own device kernels: filling inputs with random numbers, poisoning
// outputs, comparing against the reference, flushing L2, converting types.
// Compiled by NVRTC once per dtype and cached like any template instance.
#include "tkbench/common.cuh"
#include <cuda_fp8.h>

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
// FP8 codes as the numbers they encode: E4M3 through fp16 (exact), E8M0 as
// 2^(bits - 127) (0xff is NaN).
template <> __device__ __forceinline__ double to_double<__nv_fp8_e4m3>(__nv_fp8_e4m3 v) {
  const __half_raw h = __nv_cvt_fp8_to_halfraw(v.__x, __NV_E4M3);
  return __half2float(__half(h));
}
template <> __device__ __forceinline__ double to_double<__nv_fp8_e8m0>(__nv_fp8_e8m0 v) {
  const unsigned bits = static_cast<unsigned char>(v.__x);
  return bits == 0xffu ? __longlong_as_double(0x7ff8000000000000ll) : ldexp(1.0, static_cast<int>(bits) - 127);
}
template <> __device__ __forceinline__ __nv_fp8_e4m3 from_double<__nv_fp8_e4m3>(double v) {
  __nv_fp8_e4m3 out;
  out.__x = __nv_cvt_double_to_fp8(v, __NV_SATFINITE, __NV_E4M3);
  return out;
}
template <> __device__ __forceinline__ __nv_fp8_e8m0 from_double<__nv_fp8_e8m0>(double v) {
  __nv_fp8_e8m0 out;  // the nearest power of two at or below v, within E8M0's range
  int e = 0;
  frexp(v, &e);
  out.__x = static_cast<__nv_fp8_storage_t>(v > 0 ? max(0, min(254, e - 1 + 127)) : 0);
  return out;
}

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

// Compares test and reference values (t, r) = value(i) for i < n. An element
// is bad when either value is not finite where the reference is, or
// |diff| > elem_tol.
template <typename Value>
__device__ __forceinline__ void compare_values(Value value, long long n, double elem_tol, CompareSums* out) {
  double sq_diff = 0, sq_ref = 0, max_abs = 0;
  unsigned long long nonfinite = 0, first_bad = ~0ull;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const double2 tr = value(i);
    const double t = tr.x, r = tr.y;
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

// Test output T against reference output R.
template <typename T, typename R>
__global__ void compare(const T* test, const R* ref, long long n, double elem_tol, CompareSums* out) {
  compare_values([=](long long i) { return make_double2(to_double(test[i]), to_double(ref[i])); }, n, elem_tol,
                 out);
}

// A quantized output compared dequantized: element i times scale[i / group],
// the test's codes with the test's scales, the reference's with its own.
template <typename T, typename R, typename TS, typename RS>
__global__ void compare_scaled(const T* test, const R* ref, const TS* test_scale, const RS* ref_scale, long long group,
                               long long n, double elem_tol, CompareSums* out) {
  compare_values(
      [=](long long i) {
        return make_double2(to_double(test[i]) * to_double(test_scale[i / group]), to_double(ref[i]) * to_double(ref_scale[i / group]));
      },
      n, elem_tol, out);
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

// The clock probe: one block per SM; each block's first thread writes, at
// its SM's index, the global timer (ns), the SM's cycle counter and `seq`.
// Launched just before and just after a timed sample, the SMs read both times
// give the SM clock averaged over the sample (profiler/sample_clock.hpp),
// which NVML, read after the kernel has ended, cannot.
__global__ void clock_probe(unsigned long long* out, unsigned long long seq, int slots) {
  if (threadIdx.x != 0) return;
  unsigned long long ns;
  unsigned int sm;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(ns));
  asm volatile("mov.u32 %0, %%smid;" : "=r"(sm));
  const unsigned long long cycles = clock64();
  if (sm >= static_cast<unsigned int>(slots)) return;
  out[3 * sm] = ns;
  out[3 * sm + 1] = cycles;
  out[3 * sm + 2] = seq;
}

}  // namespace tkb_runtime
