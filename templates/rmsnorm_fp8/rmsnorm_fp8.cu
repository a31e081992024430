// RMSNorm feeding an FP8 GEMM: y = rmsnorm(s) * w quantized to FP8 E4M3, the
// norm and the quantization in one pass over global memory (fp32 math).
//   s = x (+ r with ADD: rounded to T, written back as the next residual)
//   y = s * rsqrt(mean(s^2) + eps) * w
// MX == 0 (rmsnorm_fp8): one fp32 scale per row, amax(|y|) / 448; the codes
//   are y * 448 / amax, rounded to nearest even with saturation (satfinite).
// MX == 1 (rmsnorm_mxfp8, OCP MX): one E8M0 scale 2^e per block of 32
//   consecutive elements of a row; e = ceil(log2(amax_block / 448)), the
//   MXFP8 training recipe's rounding up, so no element of a block exceeds
//   448 * 2^e (the OCP spec's example, floor(log2(amax)) - 8, leaves
//   amax / 2^e in [256, 512) and clamps values above 448). Codes: y * 2^-e, exact
//   scaling, rounded to nearest even, satfinite. A block whose amax is 0 gets
//   e = -127 (code byte 0) and zero codes. N % 32 == 0 (the manifest's).
//
// The layout is rmsnorm's registers path (templates/rmsnorm/rmsnorm.cu): a
// block of THREADS x ROWS threads normalises ROWS rows, body vector i of a row
// belongs to thread i % THREADS, ITEMS vectors per thread hold the whole row
// (WLOAD == 1: with w beside it; 0: w read again where used, from L1/L2), so
// x (and r) are read once and y (and s) written once. A row off a vector
// boundary (odd N) has a scalar head and tail (tkbench/row_alignment.cuh),
// compiled in where EDGES (N % VEC != 0). The row's sum of squares and
// max |s * w| go through one reduction; amax = rstd * max |s * w|. In MX mode
// a block of 32 elements is 32 / VEC consecutive vectors, held by as many
// consecutive lanes: its amax is a shuffle among them.
//
// PREFETCH = k > 0 (one row per block, rows of whole 16-byte pieces):
// persistent blocks, k per SM, each normalising rows blockIdx.x,
// + gridDim.x, ... One thread bulk-copies (cp.async.bulk, the copy engine)
// the block's next row (x, and r with ADD) into shared memory as soon as the
// current one has been read from there into registers, so the next row's
// loads run while this one is reduced, quantized and stored. Without it a
// block holding a long row (128 KB: an SM's register file holds one) leaves
// DRAM idle from its last load until the next block's first. (A row split
// over a thread-block cluster, each block holding a part, was slower at every
// shape measured on an H100: bench/results/2026-12-07i-h100, commit a94a43e.)
#include "tkbench/common.cuh"
#include <cuda_fp8.h>

namespace tkb {

// The E4M3 codes (satfinite, round to nearest even) of value(k), k < SIZE, one a byte in memory
// order (element k in byte k), as the built-in integer of the codes' size: built from pairs in
// registers. Built byte by byte in a Vec, ptxas split each pair and packed the bytes again (some
// 12 instructions a vector of 8).
template <int SIZE, typename Value>
__device__ __forceinline__ typename RawBits<SIZE>::type e4m3_codes(Value value) {
  static_assert(SIZE % 2 == 0 && SIZE <= 16, "codes are packed in pairs, at most 16 bytes");
  unsigned words[(SIZE + 3) / 4] = {};
#pragma unroll
  for (int k = 0; k < SIZE; k += 2) {
    const unsigned codes = __nv_cvt_float2_to_fp8x2(make_float2(value(k), value(k + 1)), __NV_SATFINITE, __NV_E4M3);
    words[k / 4] |= codes << (k % 4 == 0 ? 0 : 16);
  }
  if constexpr (SIZE == 2) return static_cast<short>(words[0]);
  else if constexpr (SIZE == 4) return static_cast<int>(words[0]);
  else if constexpr (SIZE == 8) return make_int2(words[0], words[1]);
  else return make_int4(words[0], words[1], words[2], words[3]);
}

// max |v_k * g_k| over a vector's elements.
template <typename V, typename WV>
__device__ __forceinline__ float max_abs_product(const V& v, const WV& g) {
  float m = 0.f;
#pragma unroll
  for (int k = 0; k < V::size; ++k) m = fmaxf(m, fabsf(element_as_float(v, k) * element_as_float(g, k)));
  return m;
}

// The MX block exponent for a block amax (fp32, >= 0): the least e with
// 448 * 2^e >= amax, computed exactly from amax's bits (448 = 1.75 * 2^8):
// amax = 1.f * 2^k gives e = k - 8, or k - 7 when the fraction f exceeds
// 0.75. Clamped to E8M0's range [-127, 127]; 0 gives -127.
__device__ __forceinline__ int mx_exponent(float amax) {
  const unsigned bits = __float_as_uint(amax);
  const int biased = static_cast<int>(bits >> 23);
  if (biased == 0) return -127;  // zero or subnormal: the smallest scale
  const int e = biased - 127 - 8 + ((bits & 0x7fffffu) > 0x600000u ? 1 : 0);
  return max(-127, min(127, e));
}
// 2^-e as an fp32 (e in [-127, 127]); exact.
__device__ __forceinline__ float mx_inverse_scale(int e) {
  const int biased = 127 - e;  // 0 .. 254
  return biased >= 1 ? __uint_as_float(static_cast<unsigned>(biased) << 23) : 0x1p-127f;
}

// Row `row` (this thread's; rows past M idle but join the reductions). x_row
// and r_row point at the row's start: in global memory, or (STAGED) in
// shared memory, read there with plain loads. In every thread, before_loads
// runs before x and r are read, after_loads once they have been. (Waiting for
// a staged row in here, not before the call, spares long rows a spill: ptxas
// spilled 4 bytes a thread at 8192x65536, PREFETCH 1, VEC 8, 1024 threads.)
template <typename T, int VEC, int THREADS, int ROWS, int ITEMS, int HINT, int MX, bool ADD, int WLOAD, int EDGES, bool STAGED,
          typename BeforeLoads, typename AfterLoads>
__device__ __forceinline__ void rmsnorm_quantized_row(long long row, const T* __restrict__ x_row, const T* __restrict__ r_row,
                                                      const T* __restrict__ w, unsigned char* __restrict__ y,
                                                      void* __restrict__ scales, T* __restrict__ s, long long M,
                                                      long long N, float eps, BeforeLoads before_loads,
                                                      AfterLoads after_loads) {
  using V = Vec<T, VEC>;
  using QV = typename RawBits<VEC>::type;  // VEC codes of one byte
  static_assert(THREADS >= VEC - 1, "a row's head and tail elements, one per thread");
  static_assert(!MX || (VEC <= 32 && THREADS % (32 / VEC) == 0), "an MX block's vectors in consecutive lanes of one warp");
  const bool active = row < M;
  const RowSplit split = EDGES ? row_split((active ? row : 0) * N, N, VEC) : RowSplit{0, static_cast<int>(N / VEC), 0};
  const long long body = row * N + split.head;
  const V* xr = reinterpret_cast<const V*>(x_row + split.head);
  const V* rr = reinterpret_cast<const V*>(r_row + split.head);
  V* sr = reinterpret_cast<V*>(s + body);
  QV* yr = reinterpret_cast<QV*>(y + body);
  const V* wv = reinterpret_cast<const V*>(w);
  const int tx = threadIdx.x;

  V xs[ITEMS], ws[WLOAD == 1 ? ITEMS : 1];
  // w's vector for body vector i (slot it): from registers (WLOAD == 1) or read again (L1/L2).
  // Past the body (x is 0 there: nothing stored, products 0 or NaN, which fmaxf drops) any of
  // w's vectors will do. MX reads the last unconditionally: no zero vector selected in, some 10
  // byte permutes a vector. (Not fp8: it reads w before the reduction and after; read
  // unconditionally, ptxas keeps w in registers between the two and spills, 120 bytes a thread
  // at 8192x65536, VEC 8, 1024 threads.)
  auto weight = [&](int it, int i) -> V {
    if constexpr (WLOAD == 1) return ws[it];
    else if constexpr (EDGES == 0 && MX) return wv[min(i, split.body - 1)];
    else return active && i < split.body ? load_shifted(wv, i, split.head, N) : zero_vector<V>();
  };
  before_loads();
#pragma unroll
  for (int it = 0; it < ITEMS; ++it) {
    const int i = it * THREADS + tx;
    if (active && i < split.body) {
      xs[it] = STAGED ? xr[i] : load_hinted<HINT>(xr + i);
      if constexpr (ADD) xs[it] = vector_sum(xs[it], STAGED ? rr[i] : load_hinted<HINT>(rr + i));  // s, rounded as stored
      if constexpr (WLOAD == 1) ws[it] = (EDGES ? load_shifted(wv, i, split.head, N) : wv[i]);
    } else {
      xs[it] = zero_vector<V>();
      if constexpr (WLOAD == 1) ws[it] = zero_vector<V>();
    }
  }
  // This thread's scalar head and tail elements.
  int edge_at[2];
  float edge_s[2], edge_w[2];
  float sum_sq = 0.f, max_sw = 0.f;
#pragma unroll
  for (int slot = 0; slot < 2; ++slot) {
    edge_at[slot] = EDGES && active ? edge_index(split, tx, slot, VEC) : -1;
    edge_s[slot] = edge_w[slot] = 0.f;
    if (edge_at[slot] >= 0) {
      T v = x_row[edge_at[slot]];
      if constexpr (ADD) {
        v = from_float<T>(to_float(v) + to_float(r_row[edge_at[slot]]));
        s[row * N + edge_at[slot]] = v;
      }
      edge_s[slot] = to_float(v);
      edge_w[slot] = to_float(w[edge_at[slot]]);
      sum_sq += edge_s[slot] * edge_s[slot];
      max_sw = fmaxf(max_sw, fabsf(edge_s[slot] * edge_w[slot]));
    }
  }
  after_loads();
#pragma unroll
  for (int it = 0; it < ITEMS; ++it) {
    sum_sq += sum_squares(xs[it]);
    if constexpr (!MX) max_sw = fmaxf(max_sw, max_abs_product(xs[it], weight(it, it * THREADS + tx)));
    if constexpr (ADD) {
      const int i = it * THREADS + tx;
      if (active && i < split.body) store_hinted<HINT>(sr + i, xs[it]);
    }
  }
  row_sum_and_max<THREADS, ROWS>(sum_sq, max_sw);  // every thread of the block, active or not
  // Short rows (at most 16 registers of a row a thread: decode), where latency counts: a fast
  // division. Long rows: an IEEE one, though a fast one would do: with it ptxas keeps the row (64
  // registers a thread) packed across the reduction; without it, unpacked, and spills
  // (8192x65536, VEC 8, 1024 threads: 88 bytes a thread, 571 -> 669 us; bench/results/2026-12-07j-h100).
  constexpr bool kShortRow = ITEMS * VEC * sizeof(T) <= 64;
  const float mean_sq = kShortRow ? __fdividef(sum_sq, static_cast<float>(N)) : sum_sq / static_cast<float>(N);
  const float rstd = rsqrtf(mean_sq + eps);

  if constexpr (!MX) {
    const float amax = rstd * max_sw;
    // Fast reciprocals (MUFU, 2 ulp; no IEEE division's slow path on the way to the stores): a code
    // moves by a rounding step only for a value within 2 ulp of a step's midpoint.
    const float mult = amax > 0.f ? __fdividef(448.f, amax) : 0.f;
    if (active && tx == 0) static_cast<float*>(scales)[row] = amax * (1.f / 448.f);
    // Codes of (s * w) * (rstd * mult): two products an element, not three. rstd * mult (about
    // 448 / max |s * w|) overflows only for a row whose max |s * w| is under 448 / FLT_MAX
    // (then 0 * inf would give NaN): there, s * w is first scaled by 2^64 (exactly) and mult by
    // 2^-64 (a branch of the whole block: one a row).
    const float code_mult = rstd * mult;
    const bool one_factor = !isinf(code_mult);
    const float tiny_mult = amax > 0.f ? 448.f / (amax * 0x1p64f) : 0.f;
    auto store_codes = [&](auto code) {  // code(s * w): the value to quantize
#pragma unroll
      for (int it = 0; it < ITEMS; ++it) {
        const int i = it * THREADS + tx;
        if (active && i < split.body) {
          const V g = weight(it, i);
          store_hinted<HINT>(yr + i, e4m3_codes<VEC>([&](int k) {
                               return code(element_as_float(xs[it], k) * element_as_float(g, k));
                             }));
        }
      }
    };
    if (one_factor) store_codes([&](float sw) { return sw * code_mult; });
    else store_codes([&](float sw) { return sw * 0x1p64f * rstd * tiny_mult; });
#pragma unroll
    for (int slot = 0; slot < 2; ++slot)
      if (edge_at[slot] >= 0)
        y[row * N + edge_at[slot]] = __nv_cvt_float_to_fp8(edge_s[slot] * rstd * edge_w[slot] * mult, __NV_SATFINITE, __NV_E4M3);
  } else {
    constexpr int kLanes = 32 / VEC;  // lanes holding one block of 32 elements
    unsigned char* row_scales = static_cast<unsigned char*>(scales) + row * (N / 32);
    // w's vectors a step ahead: each read is in flight while the vector before is quantized.
    V g_next = weight(0, tx);
#pragma unroll
    for (int it = 0; it < ITEMS; ++it) {
      const int i = it * THREADS + tx;
      const V g = g_next;
      if (it + 1 < ITEMS) g_next = weight(it + 1, i + THREADS);
      // The block's amax: rstd * max |s * w| (rstd > 0), the largest of the values the codes scale.
      float sw[VEC], m = 0.f;
#pragma unroll
      for (int k = 0; k < VEC; ++k) {
        sw[k] = element_as_float(xs[it], k) * element_as_float(g, k);
        m = fmaxf(m, fabsf(sw[k]));
      }
      m = group_max<kLanes>(m);  // every lane: whole groups of a warp
      const int e = mx_exponent(rstd * m);
      const float inverse = mx_inverse_scale(e);
      // Codes of (s * w) * (rstd * 2^-e): two products an element, not three. rstd * 2^-e overflows
      // only for a block of zeros (0 * inf: NaN) or of tiny values (max |s * w| under 448 / FLT_MAX,
      // or amax under the least scale's 448 * 2^-127): a warp holding one takes both factors one
      // at a time (a vote: the branch is the whole warp's).
      const float code_mult = rstd * inverse;
      const bool one_factor = __all_sync(0xffffffffu, !isinf(code_mult));
      if (active && i < split.body) {
        const QV codes = one_factor ? e4m3_codes<VEC>([&](int k) { return sw[k] * code_mult; })
                                    : e4m3_codes<VEC>([&](int k) { return sw[k] * rstd * inverse; });
        store_hinted<HINT>(yr + i, codes);
        if (tx % kLanes == 0) row_scales[i / kLanes] = static_cast<unsigned char>(e + 127);
      }
    }
  }
}

// The block's rows: one (ROWS of them) per block, or (PREFETCH > 0) rows
// blockIdx.x, + gridDim.x, ... each bulk-copied to shared memory while the
// one before is finished.
template <typename T, int VEC, int THREADS, int ROWS, int ITEMS, int HINT, int MX, bool ADD, int WLOAD, int EDGES, int PREFETCH>
__device__ __forceinline__ void rmsnorm_quantized_rows(const T* __restrict__ x, const T* __restrict__ r,
                                                       const T* __restrict__ w, unsigned char* __restrict__ y,
                                                       void* __restrict__ scales, T* __restrict__ s, long long M,
                                                       long long N, float eps) {
  if constexpr (PREFETCH == 0) {
    const long long row = static_cast<long long>(blockIdx.x) * ROWS + threadIdx.y;
    rmsnorm_quantized_row<T, VEC, THREADS, ROWS, ITEMS, HINT, MX, ADD, WLOAD, EDGES, false>(
        row, x + row * N, r + row * N, w, y, scales, s, M, N, eps, [] {}, [] {});
  } else {
    static_assert(ROWS == 1 && EDGES == 0, "prefetched rows: one whole-vector row per block");
    extern __shared__ __align__(128) unsigned char staged[];  // x's row, then r's (ADD)
    T* x_next = reinterpret_cast<T*>(staged);
    T* r_next = x_next + N;
    __shared__ unsigned long long landed;  // completes once the next row's bytes are in
    const bool leader = threadIdx.x == 0;
    const unsigned row_bytes = static_cast<unsigned>(N * sizeof(T));
    auto start_copy = [&](long long row) {
      mbarrier_arrive_expect_bytes(&landed, ADD ? 2 * row_bytes : row_bytes);
      bulk_copy_to_shared(x_next, x + row * N, row_bytes, &landed);
      if constexpr (ADD) bulk_copy_to_shared(r_next, r + row * N, row_bytes, &landed);
    };
    if (leader) mbarrier_init(&landed, 1);
    __syncthreads();
    long long row = blockIdx.x;
    if (leader && row < M) start_copy(row);
    for (unsigned parity = 0; row < M; row += gridDim.x, parity ^= 1) {
      const long long next = row + gridDim.x;
      rmsnorm_quantized_row<T, VEC, THREADS, ROWS, ITEMS, HINT, MX, ADD, WLOAD, EDGES, true>(
          row, x_next, r_next, w, y, scales, s, M, N, eps, [&] { mbarrier_wait(&landed, parity); },
          [&] {
            __syncthreads();  // every thread has read the row: the buffer takes the next one
            if (leader && next < M) start_copy(next);
          });
    }
  }
}

// rmsnorm_fp8 (MX = 0) and rmsnorm_mxfp8 (MX = 1): reads x and w; writes the codes y and the scales.
template <typename T, int VEC, int THREADS, int ROWS, int ITEMS, int HINT, int MX, int WLOAD, int EDGES, int PREFETCH>
__global__ void __launch_bounds__(THREADS * ROWS)
rmsnorm_quantized(const T* __restrict__ x, const T* __restrict__ w, __nv_fp8_e4m3* __restrict__ y,
                  void* __restrict__ scales, long long M, long long N, float eps) {
  rmsnorm_quantized_rows<T, VEC, THREADS, ROWS, ITEMS, HINT, MX, false, WLOAD, EDGES, PREFETCH>(
      x, x, w, reinterpret_cast<unsigned char*>(y), scales, nullptr, M, N, eps);
}

// add_rmsnorm_fp8 / add_rmsnorm_mxfp8: also reads r and writes s = x + r.
template <typename T, int VEC, int THREADS, int ROWS, int ITEMS, int HINT, int MX, int WLOAD, int EDGES, int PREFETCH>
__global__ void __launch_bounds__(THREADS * ROWS)
add_rmsnorm_quantized(const T* __restrict__ x, const T* __restrict__ r, const T* __restrict__ w,
                      __nv_fp8_e4m3* __restrict__ y, void* __restrict__ scales, T* __restrict__ s, long long M,
                      long long N, float eps) {
  rmsnorm_quantized_rows<T, VEC, THREADS, ROWS, ITEMS, HINT, MX, true, WLOAD, EDGES, PREFETCH>(
      x, r, w, reinterpret_cast<unsigned char*>(y), scales, s, M, N, eps);
}

// ---- Trusted references: one row per block of 256 threads, fp64 math, quantized the same way ----

__device__ __forceinline__ double reference_block_max(double v) {
  __shared__ double partial[256];
  __syncthreads();  // partial may still be read by an earlier call
  partial[threadIdx.x] = v;
  __syncthreads();
  for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] = fmax(partial[threadIdx.x], partial[threadIdx.x + stride]);
    __syncthreads();
  }
  return partial[0];
}

// The least e with 448 * 2^e >= amax, exactly (frexp), clamped to [-127, 127].
__device__ __forceinline__ int reference_mx_exponent(double amax) {
  if (!(amax > 0)) return -127;
  int p;
  const double f = frexp(amax / 448.0, &p);  // amax / 448 = f * 2^p, f in [0.5, 1)
  const int e = f > 0.5 ? p : p - 1;
  return max(-127, min(127, e));
}

template <typename T, int MX, bool ADD>
__device__ void rmsnorm_quantized_reference_row(const T* x, const T* r, const T* w, unsigned char* y, void* scales,
                                                T* s, long long M, long long N, float eps) {
  const long long row = blockIdx.x;
  if (row >= M) return;
  auto s_at = [&](long long i) {  // s as the kernel stores it
    if constexpr (ADD) return to_float(from_float<T>(to_float(x[row * N + i]) + to_float(r[row * N + i])));
    else return to_float(x[row * N + i]);
  };
  double acc = 0;
  for (long long i = threadIdx.x; i < N; i += blockDim.x) acc += static_cast<double>(s_at(i)) * s_at(i);
  const double rstd = 1.0 / sqrt(reference_block_sum(acc) / static_cast<double>(N) + static_cast<double>(eps));
  auto y_at = [&](long long i) { return s_at(i) * rstd * to_float(w[i]); };
  if constexpr (!MX) {
    double m = 0;
    for (long long i = threadIdx.x; i < N; i += blockDim.x) m = fmax(m, fabs(y_at(i)));
    const double amax = reference_block_max(m);
    const double scale = amax / 448.0;
    if (threadIdx.x == 0) static_cast<float*>(scales)[row] = static_cast<float>(scale);
    for (long long i = threadIdx.x; i < N; i += blockDim.x)
      y[row * N + i] = __nv_cvt_double_to_fp8(amax > 0 ? y_at(i) / scale : 0.0, __NV_SATFINITE, __NV_E4M3);
  } else {
    for (long long b = threadIdx.x; b < N / 32; b += blockDim.x) {
      double m = 0;
      for (int k = 0; k < 32; ++k) m = fmax(m, fabs(y_at(b * 32 + k)));
      const int e = reference_mx_exponent(m);
      static_cast<unsigned char*>(scales)[row * (N / 32) + b] = static_cast<unsigned char>(e + 127);
      for (int k = 0; k < 32; ++k)
        y[row * N + b * 32 + k] = __nv_cvt_double_to_fp8(ldexp(y_at(b * 32 + k), -e), __NV_SATFINITE, __NV_E4M3);
    }
  }
  if constexpr (ADD)
    for (long long i = threadIdx.x; i < N; i += blockDim.x) s[row * N + i] = from_float<T>(s_at(i));
}

template <typename T, int MX>
__global__ void rmsnorm_quantized_reference(const T* __restrict__ x, const T* __restrict__ w, __nv_fp8_e4m3* __restrict__ y,
                                            void* __restrict__ scales, long long M, long long N, float eps) {
  rmsnorm_quantized_reference_row<T, MX, false>(x, nullptr, w, reinterpret_cast<unsigned char*>(y), scales, nullptr, M, N, eps);
}

template <typename T, int MX>
__global__ void add_rmsnorm_quantized_reference(const T* __restrict__ x, const T* __restrict__ r, const T* __restrict__ w,
                                                __nv_fp8_e4m3* __restrict__ y, void* __restrict__ scales,
                                                T* __restrict__ s, long long M, long long N, float eps) {
  rmsnorm_quantized_reference_row<T, MX, true>(x, r, w, reinterpret_cast<unsigned char*>(y), scales, s, M, N, eps);
}

}  // namespace tkb
