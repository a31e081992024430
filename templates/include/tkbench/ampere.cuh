#pragma once
// tkbench's portable tile layer (sm_80+): what a cp.async + mma.sync kernel is
// built from. templates/gemm/gemm_sm80.cu is the worked example.
#include "tkbench/cp_async.cuh"      // cp_async_16 (zero-filling), commit / wait groups
#include "tkbench/async_tile_copy.cuh"  // AsyncTileCopy: a block's cp.async copy of a tile, addresses worked out once
#include "tkbench/shared_tile.cuh"   // SharedTile: the XOR-swizzled layout (TMA's, here written by cp.async)
#include "tkbench/shared_storage.cuh"  // shared_storage<Layout>(): typed dynamic shared memory
#include "tkbench/ldmatrix.cuh"      // ldmatrix x4, plain and transposed
#include "tkbench/mma_sync.cuh"      // mma_m16n8k16, fragment loads from SharedTiles
#include "tkbench/gemm_tiles.cuh"    // BLayout, grouped tile order
