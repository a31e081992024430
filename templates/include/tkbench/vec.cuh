#pragma once
// Element conversions through fp32 and the Vec type: N elements moved as one access.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace tkb {

// Conversions through fp32, the accumulation type of every template.
template <typename T> __device__ __forceinline__ float to_float(T v) { return static_cast<float>(v); }
template <> __device__ __forceinline__ float to_float<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ float to_float<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T> __device__ __forceinline__ T from_float(float v) { return static_cast<T>(v); }
template <> __device__ __forceinline__ __half from_float<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// N consecutive elements moved as one access (4, 8 or 16 bytes), or as
// several 16-byte accesses when larger.
template <typename T, int N>
struct alignas(sizeof(T) * N) Vec {
  using type = T;
  static constexpr int size = N;
  T v[N];
};

// The built-in integer vector type of a given size, for cache-hinted
// accesses (__ldcs/__stcs exist only for built-in types).
template <int BYTES> struct RawBits;
template <> struct RawBits<2> { using type = short; };
template <> struct RawBits<4> { using type = int; };
template <> struct RawBits<8> { using type = int2; };
template <> struct RawBits<16> { using type = int4; };

// Load/store one vector; STREAMING uses ld.global.cs / st.global.cs
// (evict-first: data touched once should not push others out of L2).
template <bool STREAMING, typename V>
__device__ __forceinline__ V load_vec(const V* p) {
  if constexpr (STREAMING) {
    using R = typename RawBits<sizeof(V)>::type;
    R bits = __ldcs(reinterpret_cast<const R*>(p));
    return *reinterpret_cast<const V*>(&bits);  // same size, V is aligned to its size
  } else {
    return *p;
  }
}
template <bool STREAMING, typename V>
__device__ __forceinline__ void store_vec(V* p, const V& v) {
  if constexpr (STREAMING) {
    using R = typename RawBits<sizeof(V)>::type;
    __stcs(reinterpret_cast<R*>(p), *reinterpret_cast<const R*>(&v));
  } else {
    *p = v;
  }
}

}  // namespace tkb
