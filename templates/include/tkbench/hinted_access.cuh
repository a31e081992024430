#pragma once
// Vector loads and stores with a cache-behaviour hint, picked by a template parameter.
#include "tkbench/vec.cuh"

namespace tkb {

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

}  // namespace tkb
