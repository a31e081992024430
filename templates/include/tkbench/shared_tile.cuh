#pragma once
// SharedTile: a ROWS x COLS tile in shared memory, each row contiguous along
// COLS (for a GEMM operand: K-major, or N-major for a K x N B), laid out the
// way a TMA copy with SWIZZLE_BYTES swizzle writes it. The one type decides the
// swizzle for the host's tensor map (box = kBoxCols x ROWS, swizzle =
// kSwizzleBytes), for the wgmma descriptors that read it and for element
// access, so they cannot disagree. cp.async + ldmatrix kernels (sm_80) use the
// same layout through at(): the same 16-byte chunk of 8 consecutive rows lands
// in 8 different bank groups (with a 128- or 64-byte span), so no conflicts.
//
// A row of the swizzle pattern is kSwizzleBytes wide, so a tile wider than
// that is stored as kColumnBlocks blocks of kBoxCols columns, one TMA box each:
// block b holds columns [b * kBoxCols, (b + 1) * kBoxCols) of every row, rows
// kSwizzleBytes apart. Within a block, the 16-byte chunk c of row r sits at
// chunk c ^ ((r / R) % (kSwizzleBytes / 16)), R = 128 / kSwizzleBytes: the
// bits 4.. of the byte offset XORed with its bits 7.. (checked on an H200 for
// 128 B through NVRTC: ../shared/notes/cuda13-facts.md).
#include "tkbench/address_space.cuh"

namespace tkb {

template <typename T, int ROWS, int COLS, int SWIZZLE_BYTES>
struct alignas(1024) SharedTile {
  static_assert(SWIZZLE_BYTES == 32 || SWIZZLE_BYTES == 64 || SWIZZLE_BYTES == 128, "TMA swizzles 32, 64 or 128 bytes");
  using element = T;
  static constexpr int kRows = ROWS;
  static constexpr int kCols = COLS;
  static constexpr int kSwizzleBytes = SWIZZLE_BYTES;
  static constexpr int kBoxCols = SWIZZLE_BYTES / static_cast<int>(sizeof(T));  // a TMA box's inner dim
  static_assert(COLS % kBoxCols == 0, "whole swizzle rows: COLS * sizeof(T) a multiple of the swizzle span");
  static constexpr int kColumnBlocks = COLS / kBoxCols;
  static constexpr int kBlockBytes = ROWS * SWIZZLE_BYTES;  // one TMA box
  static constexpr int kBytes = ROWS * COLS * static_cast<int>(sizeof(T));
  static_assert(ROWS % 8 == 0 && ROWS <= 256, "the swizzle pattern repeats every 8 rows; a TMA box has at most 256");

  T data[ROWS * COLS];

  // The byte offset of element (r, c) from the tile's start.
  static __device__ __host__ constexpr int byte_offset(int r, int c) {
    const int block = c / kBoxCols;
    const int linear = r * SWIZZLE_BYTES + (c % kBoxCols) * static_cast<int>(sizeof(T));
    const int chunk_mask = SWIZZLE_BYTES / 16 - 1;
    return block * kBlockBytes + (linear ^ (((linear >> 7) & chunk_mask) << 4));
  }
  __device__ __forceinline__ T& at(int r, int c) {
    return *reinterpret_cast<T*>(reinterpret_cast<unsigned char*>(data) + byte_offset(r, c));
  }
  __device__ __forceinline__ const T& at(int r, int c) const {
    return *reinterpret_cast<const T*>(reinterpret_cast<const unsigned char*>(data) + byte_offset(r, c));
  }
  // Where TMA box b (columns [b * kBoxCols, ...)) lands.
  __device__ __forceinline__ void* box(int b) { return reinterpret_cast<unsigned char*>(data) + b * kBlockBytes; }
};

// A lane's 16-byte chunk (row r, column c = 0 or 8) of a SharedTile of 2-byte
// elements, swizzled once for every fragment that reads the same chunk moved
// by (row0, col0), row0 % 8 == 0 and col0 % 16 == 0: the XOR pattern repeats
// every 8 rows, and col0 only sets chunk bits above c's, so
// offset(row0, col0) == Tile::byte_offset(r + row0, c + col0) with one XOR
// and adds (ldmatrix's addresses, without re-deriving the swizzle per load).
template <typename Tile>
struct SwizzledLane {
  static_assert(sizeof(typename Tile::element) == 2, "chunks of 8 elements; col0 moves whole 32-byte pairs of chunks");
  int row_bytes;  // r's row start
  int chunk;      // c's byte offset within the row, XORed with row r's swizzle

  __device__ __host__ constexpr SwizzledLane(int r, int c)
      : row_bytes(r * Tile::kSwizzleBytes),
        chunk(c * 2 ^ ((((r * Tile::kSwizzleBytes) >> 7) & (Tile::kSwizzleBytes / 16 - 1)) << 4)) {}
  __device__ __host__ constexpr int offset(int row0, int col0) const {
    return col0 / Tile::kBoxCols * Tile::kBlockBytes + row0 * Tile::kSwizzleBytes + row_bytes +
           ((col0 % Tile::kBoxCols * 2) ^ chunk);
  }
};

}  // namespace tkb
