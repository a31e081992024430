#pragma once
// tkbench's Hopper tile layer (sm_90a): what a TMA + wgmma kernel is built
// from, one concern per header. templates/gemm/gemm.cu is the worked example.
#include "tkbench/mbarrier.cuh"        // Mbarrier, PipelineState
#include "tkbench/tma.cuh"             // TensorMap, tma_load_2d, tma_load_2d_multicast
#include "tkbench/tma_store.cuh"       // tma_store_2d, bulk groups, fence_async_shared
#include "tkbench/shared_tile.cuh"     // SharedTile: the swizzle decided once
#include "tkbench/shared_storage.cuh"  // shared_storage<Layout>(): typed dynamic shared memory
#include "tkbench/warpgroup.cuh"       // warpgroup index, setmaxnreg
#include "tkbench/wgmma.cuh"           // Accumulator, descriptors, mma_k16, fence / commit / wait
#include "tkbench/accumulator_store.cuh"  // store_accumulator: wgmma accumulators into a SharedTile
#include "tkbench/cluster.cuh"         // cluster rank and barrier (multicast)
