#pragma once
// Rows of any length with whole-vector accesses: a row that starts off a
// vector boundary (row r of an M x N matrix starts at element r * N) is split
// into a scalar head up to the boundary, a body of aligned vectors and a
// scalar tail. A per-column vector (a norm's weight), aligned at its start,
// then meets the body at an offset of `head` elements: load_shifted reads it
// with whole aligned vectors and shifts the bits into place in registers.
// Buffers are assumed to start on a 16-byte boundary, as cudaMalloc's do.
#include "tkbench/vector_math.cuh"

namespace tkb {

struct RowSplit {
  int head;  // scalar elements before the first aligned vector
  int body;  // whole vectors of VEC elements
  int tail;  // scalar elements after the last whole vector
};

// The split into vectors of `vec` elements (a power of two) of the row
// starting at element `start` (r * N) of a buffer, `n` elements long.
// (A plain argument, not a template one: `row_split<VEC>(...)` inside a
// lambda of a kernel template trips NVRTC's parser.)
__device__ __forceinline__ RowSplit row_split(long long start, long long n, int vec) {
  const int phase = static_cast<int>(start & (vec - 1));
  const int head = static_cast<int>(min(static_cast<long long>((vec - phase) & (vec - 1)), n));
  const int body = static_cast<int>((n - head) / vec);
  return {head, body, static_cast<int>(n - head - static_cast<long long>(body) * vec)};
}

// The elements of a row that are not in whole vectors, spread over the
// threads of the row: thread t has head element t (if t < head) and tail
// element t (if t < tail). Both are below VEC, so THREADS >= VEC - 1 covers
// them. `slot` 0 is the head, 1 the tail; the index within the row, or -1.
__device__ __forceinline__ int edge_index(const RowSplit& s, int tx, int slot, int vec) {
  if (slot == 0) return tx < s.head ? tx : -1;
  return tx < s.tail ? s.head + s.body * vec + tx : -1;
}

// A thread's head and tail elements of a row (edge_index; -1: none), their
// values in fp32 and the sum of their squares.
struct RowEdges {
  int at[2];
  float v[2];
  float sum_sq;
};

// One stage of the barrel shifter below: words move down by STEP when
// `words` has that bit. Compile-time indices only, so `cat` stays in registers.
template <int STEP, int WORDS>
__device__ __forceinline__ void shift_words_by(unsigned (&cat)[WORDS], int words) {
  if constexpr (STEP > 0 && STEP < WORDS / 2) {
    if (words & STEP) {
#pragma unroll
      for (int k = 0; k + STEP < WORDS; ++k) cat[k] = cat[k + STEP];
    }
    shift_words_by<STEP / 2>(cat, words);
  } else if constexpr (STEP > 1) {
    shift_words_by<STEP / 2>(cat, words);
  }
}

// The concatenation of vectors a and b (as words) moved down by `shift`
// elements: out = elements shift .. shift + size - 1 of a:b. A barrel
// shifter over whole words (selects), then a funnel shift for a half word.
template <typename WV>
__device__ __forceinline__ WV shift_concat(const WV& a, const WV& b, int shift) {
  constexpr int kWords = sizeof(WV) / 4;
  static_assert(sizeof(WV) % 4 == 0, "shifted vectors are whole 32-bit words");
  unsigned cat[2 * kWords];
#pragma unroll
  for (int k = 0; k < kWords; ++k) {
    cat[k] = reinterpret_cast<const unsigned*>(&a)[k];
    cat[kWords + k] = reinterpret_cast<const unsigned*>(&b)[k];
  }
  const int bytes = shift * static_cast<int>(sizeof(typename WV::type));
  shift_words_by<8>(cat, bytes / 4);  // steps 4, 2, 1 as far as kWords needs (a word shift is below kWords)
  const unsigned bits = (bytes % 4) * 8;
  WV out;
  unsigned* o = reinterpret_cast<unsigned*>(&out);
#pragma unroll
  for (int k = 0; k < kWords; ++k) o[k] = __funnelshift_r(cat[k], cat[k + 1], bits);
  return out;
}

// The VEC elements of a per-column vector starting at element
// VEC * i + shift (0 <= shift < VEC): aligned vector i and, when shift > 0
// and it holds an element below n, vector i + 1, shifted together.
template <typename WV>
__device__ __forceinline__ WV load_shifted(const WV* wv, int i, int shift, long long n) {
  const WV a = wv[i];
  if (shift == 0) return a;
  if constexpr (sizeof(WV) % 4 != 0) {
    return a;  // a vector of one 2-byte element is never shifted (VEC == 1: every row is aligned)
  } else {
    WV b;
    if (static_cast<long long>(i + 1) * WV::size < n) {
      b = wv[i + 1];
    } else {
#pragma unroll
      for (int k = 0; k < static_cast<int>(sizeof(WV) / 4); ++k) reinterpret_cast<unsigned*>(&b)[k] = 0u;
    }
    return shift_concat(a, b, shift);
  }
}

}  // namespace tkb
