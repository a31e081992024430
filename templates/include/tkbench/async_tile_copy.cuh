#pragma once
// A block's cp.async copy of one tile of a row-major matrix into a SharedTile,
// each thread's share worked out once. A thread always copies the same column
// of 16-byte chunks, in rows kRowsPerPass apart (its passes), so a copy costs
// a pointer add and the edge checks per chunk; the addresses come from the
// constructor. Chunks past the matrix's edges copy only their valid bytes and
// zero-fill the rest (cp_async_16), so a GEMM's tails add nothing to its sums.
#include "tkbench/cp_async.cuh"
#include "tkbench/shared_tile.cuh"

namespace tkb {

template <int THREADS, typename Tile>
struct AsyncTileCopy {
  using T = typename Tile::element;
  static constexpr int kChunkElems = 16 / static_cast<int>(sizeof(T));
  static constexpr int kChunksPerRow = Tile::kCols / kChunkElems;
  static_assert(THREADS % kChunksPerRow == 0, "a thread keeps one column of chunks");
  static constexpr int kRowsPerPass = THREADS / kChunksPerRow;
  static constexpr int kPasses = (Tile::kRows + kRowsPerPass - 1) / kRowsPerPass;

  const T* matrix;       // the matrix's start: the address a chunk that reads nothing is given
  const T* first;        // this thread's pass-0 chunk with the tile at the matrix's origin
  long long pass_stride;  // elements from one pass's chunk to the next's
  long long ld;          // row stride in elements
  int row, col;          // this thread's pass-0 chunk within the tile

  __device__ __forceinline__ AsyncTileCopy(const T* matrix_, long long ld_)
      : matrix(matrix_),
        pass_stride(kRowsPerPass * ld_),
        ld(ld_),
        row(static_cast<int>(threadIdx.x) / kChunksPerRow),
        col(static_cast<int>(threadIdx.x) % kChunksPerRow * kChunkElems) {
    first = matrix + row * ld + col;
  }

  // Pass p of the tile whose origin is (row0, col0) of a rows x cols matrix,
  // into the tile at shared address tile_address.
  // WHOLE: cols % kChunkElems == 0, so a chunk is all in or all out.
  template <bool WHOLE = false>
  __device__ __forceinline__ void copy(int p, unsigned tile_address, int row0, int col0, int rows, int cols) const {
    const int r = row + p * kRowsPerPass;
    if (Tile::kRows % kRowsPerPass != 0 && r >= Tile::kRows) return;  // the last pass may not fill every row
    const T* src = first + p * pass_stride + row0 * ld + col0;
    const unsigned dst = tile_address + Tile::byte_offset(r, col);
    if constexpr (WHOLE) {
      const bool inside = row0 + r < rows && col0 + col < cols;
      cp_async_16_or_zeros(dst, inside ? src : matrix, !inside);
    } else {
      const int valid = row0 + r < rows ? min(max(cols - col0 - col, 0), kChunkElems) : 0;
      cp_async_16(dst, valid > 0 ? src : matrix, valid * static_cast<int>(sizeof(T)));
    }
  }
};

}  // namespace tkb
