#pragma once
// GEMM bookkeeping shared by the wgmma and mma.sync paths (any arch): how B
// is stored and so B's shared tile, and the grouped order of the output tiles.
#include "tkbench/shared_tile.cuh"

namespace tkb {

// nk: B is N x K with K contiguous (a linear layer's weight), D = A * B^T.
// kn: B is K x N with N contiguous (row-major), D = A * B.
enum class BLayout { nk, kn };

// B's tile of a stage: BN rows of BK (nk) or BK rows of BN (kn).
template <typename T, int BN, int BK, int SWIZZLE, BLayout B_LAYOUT>
struct GemmTileB {
  using type = SharedTile<T, BN, BK, SWIZZLE>;
};
template <typename T, int BN, int BK, int SWIZZLE>
struct GemmTileB<T, BN, BK, SWIZZLE, BLayout::kn> {
  using type = SharedTile<T, BK, BN, SWIZZLE>;
};

struct TilePosition {
  int m, n;  // tile row, tile column
};

// Tile t of a tiles_m x tiles_n grid of output tiles, taken in groups of
// group_m tile rows: all of a group's rows for one tile column, then the next
// column. Blocks that run together then share A's rows and B's columns in L2.
__device__ __forceinline__ TilePosition tile_position(int t, int tiles_m, int tiles_n, int group_m) {
  const int per_group = group_m * tiles_n;
  const int first_m = (t / per_group) * group_m;
  const int rows_here = min(group_m, tiles_m - first_m);
  const int in_group = t % per_group;
  return {first_m + in_group % rows_here, in_group / rows_here};
}

}  // namespace tkb
