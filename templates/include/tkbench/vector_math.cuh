#pragma once
// fp32 math on vectors of 2-byte elements without unpacking them (the norm family's arithmetic).
#include "tkbench/hinted_access.cuh"

namespace tkb {

// Element k of a vector in fp32, and a vector from fp32 values. 2-byte types
// are read out of and packed into whole 32-bit words: element-wise access
// would make the compiler hold each 2-byte element in a 32-bit register of
// its own (82 registers instead of 63 for a row share of 8 x 8 bf16).
template <typename T> struct PairOps;  // 2-byte types: both halves of a word
template <> struct PairOps<__nv_bfloat16> {
  static __device__ __forceinline__ float low(unsigned w) { return __uint_as_float(w << 16); }
  static __device__ __forceinline__ float high(unsigned w) { return __uint_as_float(w & 0xffff0000u); }
  static __device__ __forceinline__ unsigned pack(float lo, float hi) {
    __nv_bfloat162 p = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<unsigned*>(&p);
  }
};
template <> struct PairOps<__half> {
  static __device__ __forceinline__ float low(unsigned w) { return __low2float(*reinterpret_cast<__half2*>(&w)); }
  static __device__ __forceinline__ float high(unsigned w) { return __high2float(*reinterpret_cast<__half2*>(&w)); }
  static __device__ __forceinline__ unsigned pack(float lo, float hi) {
    __half2 p = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<unsigned*>(&p);
  }
};
template <typename V> struct IsPairedVec {
  static constexpr bool value = sizeof(typename V::type) == 2 && V::size % 2 == 0;
};

template <typename V>
__device__ __forceinline__ float element_as_float(const V& v, int k) {
  using T = typename V::type;
  if constexpr (IsPairedVec<V>::value) {
    const unsigned w = reinterpret_cast<const unsigned*>(&v)[k / 2];
    return k % 2 ? PairOps<T>::high(w) : PairOps<T>::low(w);
  } else {
    return to_float(v.v[k]);
  }
}

// f(k) for each element k, into a vector of type V.
template <typename V, typename F>
__device__ __forceinline__ V vector_from_floats(F f) {
  using T = typename V::type;
  V out;
  if constexpr (IsPairedVec<V>::value) {
    unsigned* w = reinterpret_cast<unsigned*>(&out);
#pragma unroll
    for (int k = 0; k < V::size; k += 2) w[k / 2] = PairOps<T>::pack(f(k), f(k + 1));
  } else {
#pragma unroll
    for (int k = 0; k < V::size; ++k) out.v[k] = from_float<T>(f(k));
  }
  return out;
}

// a + b element by element, in fp32, rounded to the vectors' type.
template <typename V>
__device__ __forceinline__ V vector_sum(const V& a, const V& b) {
  return vector_from_floats<V>([&](int k) { return element_as_float(a, k) + element_as_float(b, k); });
}

// The sum of squares of one vector's elements, in fp32.
template <typename V>
__device__ __forceinline__ float sum_squares(const V& v) {
  float s = 0.f;
#pragma unroll
  for (int k = 0; k < V::size; ++k) {
    const float f = element_as_float(v, k);
    s += f * f;
  }
  return s;
}

// A vector of zero bits, written as one raw word of its size (RawBits, as
// load_hinted reads it): element-wise zeroing of a 2-byte type makes the
// compiler keep each element in a register of its own.
template <typename V>
__device__ __forceinline__ V zero_vector() {
  const typename RawBits<sizeof(V)>::type bits{};
  return *reinterpret_cast<const V*>(&bits);
}

// Stores v * scale * g (a norm's last step, fp32 math) at p with store_hinted<HINT>.
template <int HINT, typename V, typename WV>
__device__ __forceinline__ void store_normalised(V* p, const V& v, float scale, const WV& g) {
  store_hinted<HINT>(p, vector_from_floats<V>([&](int k) { return element_as_float(v, k) * scale * element_as_float(g, k); }));
}

}  // namespace tkb
