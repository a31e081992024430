#pragma once
// Helpers shared by tkbench's built-in templates; user templates may
// #include "tkbench/common.cuh" too (tkbench hands these headers to NVRTC).
// One header per concern; this one includes those every template may want.
// The Hopper tile layer (TMA, wgmma) is separate: "tkbench/hopper.cuh".
#include "tkbench/vec.cuh"            // conversions, Vec, plain and streaming vector access
#include "tkbench/hinted_access.cuh"  // load_hinted / store_hinted
#include "tkbench/vector_math.cuh"    // fp32 math on packed 2-byte vectors (the norm family)
#include "tkbench/reduce.cuh"         // lane, row and reference block sums
#include "tkbench/mbarrier.cuh"       // mbarrier init, expect bytes, parity wait (sm_90)
#include "tkbench/bulk_copy.cuh"      // cp.async.bulk global -> shared (sm_90)
#include "tkbench/cluster.cuh"        // cluster rank, barrier, distributed shared memory (sm_90)
#include "tkbench/row_alignment.cuh"  // rows off a vector boundary: scalar head, aligned body, scalar tail
