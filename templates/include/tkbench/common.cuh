#pragma once
// Helpers shared by tkbench's built-in templates; user templates may
// #include "tkbench/common.cuh" too (tkbench hands it to NVRTC).
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

// Sum over groups of WIDTH consecutive lanes (WIDTH a power of two <= 32);
// every lane of a group gets the group's sum.
template <int WIDTH>
__device__ __forceinline__ float group_sum(float x) {
#pragma unroll
  for (int offset = WIDTH / 2; offset > 0; offset /= 2) x += __shfl_xor_sync(0xffffffffu, x, offset);
  return x;
}


// ---- Cache-hinted vector accesses (rmsnorm family) ----
//
// load_hinted<HINT>: 0 = a plain load; 1 = ld.global.cs (evict-first: touched
// once); 2 = ld.global.nc.L1::no_allocate.L2::256B (read-only path, bypass
// L1, ask L2 to fetch 256-byte sectors: more bytes in flight per request).
// store_hinted<HINT>: 0 = a plain store; 1 and 2 = st.global.cs.
// Vectors of 2, 4, 8 or 16 bytes; wider ones (fp32 x 8) fall back to plain.
template <int HINT, typename V>
__device__ __forceinline__ V load_hinted(const V* p) {
  if constexpr (HINT == 1 && sizeof(V) <= 16) {
    return load_vec<true>(p);
  } else if constexpr (HINT == 2 && sizeof(V) == 16) {
    int4 r;
    asm volatile("ld.global.nc.L1::no_allocate.L2::256B.v4.s32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(r.x), "=r"(r.y), "=r"(r.z), "=r"(r.w) : "l"(p));
    return *reinterpret_cast<const V*>(&r);
  } else if constexpr (HINT == 2 && sizeof(V) == 8) {
    int2 r;
    asm volatile("ld.global.nc.L1::no_allocate.L2::256B.v2.s32 {%0, %1}, [%2];" : "=r"(r.x), "=r"(r.y) : "l"(p));
    return *reinterpret_cast<const V*>(&r);
  } else if constexpr (HINT == 2 && sizeof(V) == 4) {
    int r;
    asm volatile("ld.global.nc.L1::no_allocate.L2::256B.s32 %0, [%1];" : "=r"(r) : "l"(p));
    return *reinterpret_cast<const V*>(&r);
  } else if constexpr (HINT == 2 && sizeof(V) == 2) {
    unsigned short r;
    asm volatile("ld.global.nc.L1::no_allocate.L2::256B.u16 %0, [%1];" : "=h"(r) : "l"(p));
    return *reinterpret_cast<const V*>(&r);
  } else if constexpr (sizeof(V) <= 16) {
    using R = typename RawBits<sizeof(V)>::type;  // whole words: see element_as_float
    R bits = *reinterpret_cast<const R*>(p);
    return *reinterpret_cast<const V*>(&bits);
  } else {
    return *p;
  }
}
template <int HINT, typename V>
__device__ __forceinline__ void store_hinted(V* p, const V& v) {
  if constexpr (HINT != 0 && sizeof(V) <= 16) {
    store_vec<true>(p, v);
  } else {
    *p = v;
  }
}

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

// ---- Asynchronous bulk copies (sm_90): global -> shared through the copy engine ----
//
// One thread starts a copy of up to 4 GB with cp.async.bulk; it lands in
// shared memory and counts its bytes down on an mbarrier, which the threads
// wait on. Source, destination and size are multiples of 16 bytes. Nothing is
// held in registers while the bytes are in flight.

__device__ __forceinline__ unsigned shared_address(const void* p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}

// Called by one thread, then a __syncthreads before anyone waits on it.
__device__ __forceinline__ void mbarrier_init(unsigned long long* bar, unsigned arrivals) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(shared_address(bar)), "r"(arrivals) : "memory");
  // Make the initialised barrier visible to the copy engine (the async proxy).
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}

// The one arrival of this phase, announcing `bytes` to come from bulk copies.
__device__ __forceinline__ void mbarrier_arrive_expect_bytes(unsigned long long* bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(shared_address(bar)), "r"(bytes) : "memory");
}

__device__ __forceinline__ void bulk_copy_to_shared(void* dst, const void* src, unsigned bytes, unsigned long long* bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
               ::"r"(shared_address(dst)), "l"(src), "r"(bytes), "r"(shared_address(bar)) : "memory");
}

// Waits until the phase with the given parity has completed.
__device__ __forceinline__ void mbarrier_wait(unsigned long long* bar, unsigned parity) {
  unsigned done = 0;
  do {
    asm volatile("{ .reg .pred p; mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2; selp.u32 %0, 1, 0, p; }"
                 : "=r"(done) : "r"(shared_address(bar)), "r"(parity) : "memory");
  } while (!done);
}

// ---- Thread-block clusters (sm_90): distributed shared memory ----

__device__ __forceinline__ unsigned cluster_block_rank() {
  unsigned r;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
  return r;
}
// arrive + wait is a barrier over every thread of every block of the
// cluster; release/acquire make shared-memory writes before it visible to
// the other blocks' reads after it. Split, the wait can come much later.
__device__ __forceinline__ void cluster_arrive() { asm volatile("barrier.cluster.arrive.release;" ::: "memory"); }
__device__ __forceinline__ void cluster_wait() { asm volatile("barrier.cluster.wait.acquire;" ::: "memory"); }

// Reads a float at the same shared-memory offset as `p` in block `rank` of the cluster.
__device__ __forceinline__ float load_from_cluster_block(const float* p, unsigned rank) {
  unsigned remote;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(remote) : "r"(shared_address(p)), "r"(rank));
  float v;
  asm volatile("ld.shared::cluster.f32 %0, [%1];" : "=f"(v) : "r"(remote) : "memory");
  return v;
}

}  // namespace tkb
