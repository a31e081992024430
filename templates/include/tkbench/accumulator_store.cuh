#pragma once
// From a warpgroup's wgmma accumulators to a SharedTile: the first half of a
// TMA-store epilogue (tma_store.cuh is the second). Each thread writes its
// pairs of adjacent columns, rounded to the tile's type, as one 4-byte store
// at the tile's swizzled address. With a 128-byte swizzle a warp's store
// (8 rows x 4 pairs) lands in 8 different 16-byte chunks: no bank conflicts.
#include "tkbench/shared_tile.cuh"
#include "tkbench/vec.cuh"
#include "tkbench/wgmma.cuh"

namespace tkb {

// Columns [col0, col0 + Tile::kCols) of the 64 x N accumulator into `tile`
// (64 rows). Every thread of the warpgroup calls it.
template <int N, typename Tile>
__device__ __forceinline__ void store_accumulator(const Accumulator<N>& acc, int col0, Tile& tile) {
  using T = typename Tile::element;
  static_assert(Tile::kRows == 64, "a wgmma accumulator has 64 rows");
  static_assert(Tile::kCols % 8 == 0 && N % Tile::kCols == 0, "whole 8-column groups of the accumulator");
  constexpr int kPerTile = Tile::kCols / 2;  // registers per tile-wide slice of a row pair
  const int first = col0 / 2;                // register r covers columns 8 (r / 4) + ...: 4 registers per 8 columns
  const unsigned base = shared_address(tile.data);
#pragma unroll
  for (int r = 0; r < kPerTile; r += 2) {
    const int reg = first + r;
    Vec<T, 2> v;
    v.v[0] = from_float<T>(acc.d[reg]);
    v.v[1] = from_float<T>(acc.d[reg + 1]);
    const unsigned address = base + Tile::byte_offset(Accumulator<N>::row(reg), Accumulator<N>::col(reg) - col0);
    // st.shared, not a generic store: the compiler cannot tell the tile is in shared memory.
    asm volatile("st.shared.b32 [%0], %1;" ::"r"(address), "r"(*reinterpret_cast<const unsigned*>(&v)) : "memory");
  }
}

}  // namespace tkb
