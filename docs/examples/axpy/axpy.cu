// axpy: y = a * x + y, fp32 math whatever T is.
//
// Each thread moves VEC elements per access (one Vec load of x and y, one
// store of y). Without GRID_STRIDE a thread handles one vector and the grid
// covers the array once; with it, the grid is smaller and threads stride
// over the array by the whole grid, so accesses stay coalesced. The last
// n % VEC elements do not fill a vector: the first threads of the grid
// handle them one by one, so any N works.
#include "tkbench/common.cuh"

namespace tkb {

template <typename T, int VEC, int THREADS, bool GRID_STRIDE>
__global__ void __launch_bounds__(THREADS) axpy(T* __restrict__ y, const T* __restrict__ x, float a, long long n) {
  using V = Vec<T, VEC>;  // aligned to its size: buffers start aligned, so every vector is
  V* yv = reinterpret_cast<V*>(y);
  const V* xv = reinterpret_cast<const V*>(x);
  const long long nvec = n / VEC;
  const long long tid = static_cast<long long>(blockIdx.x) * THREADS + threadIdx.x;

  auto update = [&](long long i) {
    V xs = xv[i], ys = yv[i];
#pragma unroll
    for (int k = 0; k < VEC; ++k) ys.v[k] = from_float<T>(a * to_float(xs.v[k]) + to_float(ys.v[k]));
    yv[i] = ys;
  };
  if constexpr (GRID_STRIDE) {
    const long long stride = static_cast<long long>(gridDim.x) * THREADS;
    for (long long i = tid; i < nvec; i += stride) update(i);
  } else {
    if (tid < nvec) update(tid);
  }

  // Tail: fewer than VEC elements, so fewer than THREADS: block 0 covers them.
  const long long k = nvec * VEC + tid;
  if (k < n) y[k] = from_float<T>(a * to_float(x[k]) + to_float(y[k]));
}

// Trusted reference: one element per thread, no vectors, fp32 math.
template <typename T>
__global__ void axpy_reference(T* __restrict__ y, const T* __restrict__ x, float a, long long n) {
  const long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) y[i] = from_float<T>(a * to_float(x[i]) + to_float(y[i]));
}

}  // namespace tkb
