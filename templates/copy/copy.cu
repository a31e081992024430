// copy: y = x, the bandwidth probe. Each block moves THREADS * UNROLL vectors
// of VEC_BYTES per trip, loads all before storing (bytes in flight), and the
// grid strides over the array. Elements past the last whole vector are
// copied one by one, so any N works.
#include "tkbench/common.cuh"

namespace tkb {

template <typename T, int VEC_BYTES, int THREADS, int UNROLL, bool STREAMING>
__global__ void __launch_bounds__(THREADS) copy(const T* __restrict__ x, T* __restrict__ y, long long n) {
  constexpr int kElems = VEC_BYTES / sizeof(T);
  using V = Vec<T, kElems>;
  const V* xv = reinterpret_cast<const V*>(x);
  V* yv = reinterpret_cast<V*>(y);
  const long long nvec = n / kElems;
  const long long chunk = static_cast<long long>(THREADS) * UNROLL;
  for (long long base = blockIdx.x * chunk; base < nvec; base += static_cast<long long>(gridDim.x) * chunk) {
    V tmp[UNROLL];
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) {
      long long j = base + u * THREADS + threadIdx.x;
      if (j < nvec) tmp[u] = load_vec<STREAMING>(xv + j);
    }
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) {
      long long j = base + u * THREADS + threadIdx.x;
      if (j < nvec) store_vec<STREAMING>(yv + j, tmp[u]);
    }
  }
  for (long long k = nvec * kElems + blockIdx.x * static_cast<long long>(THREADS) + threadIdx.x; k < n;
       k += static_cast<long long>(gridDim.x) * THREADS)
    y[k] = x[k];
}

// Trusted reference: one element per thread, grid-stride.
template <typename T>
__global__ void copy_reference(const T* __restrict__ x, T* __restrict__ y, long long n) {
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long long>(gridDim.x) * blockDim.x)
    y[i] = x[i];
}

}  // namespace tkb
