#!/usr/bin/env bash
# bench/gemm/gaps.sh: issue 17's open goals measured in one device call (about
# 9 minutes), from the repo root with a stripped build in .carry/:
#   1. how many 2-block clusters stay resident (cluster_occupancy.cu, nvcc);
#   2. variants.sh: the [gpu] tests of gemm (pairs included), gemm_splitk, gemm_sm80, transpose
#      (plus EXTRA_TESTS), the pair of blocks sharing B against one block at
#      8192^3 (persistent, one tile per cluster, 3 stages), transpose's whole
#      space at 16384^2 beside a copy, gemm_splitk tuned at the skinny shapes;
#      CUPTI counters on all of it;
#   3. `bench gemm_sm80` of the mma.sync path's likely best configs at 8192^3,
#      cuBLAS in the same worker.
# Everything lands in $OUT: gemm_variants.tgz, cluster_occupancy.txt, sm80.txt.
set -u
B="BM=128,BN=256,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,TMA_STORE=1,GROUP_M=16"
mkdir -p "${OUT:-/tmp/out}"
( /usr/local/cuda/bin/nvcc -arch=sm_90a -o /tmp/cluster_occupancy bench/gemm/cluster_occupancy.cu &&
  /tmp/cluster_occupancy 231424 ) 2>&1 | tee "${OUT:-/tmp/out}/cluster_occupancy.txt"

TESTS=${TESTS:-'[gpu][gemm];gemm_splitk is correct*;gemm_sm80*;transpose is exact at odd shapes*'} \
PHASES=${PHASES:-"tests variants transpose skinny"} SHAPES=${SHAPES:-8192x8192x8192} COUNTERS=1 \
TEST_TIMEOUT=${TEST_TIMEOUT:-200} BUDGET=${BUDGET:-30} \
VARIANTS="one_block=$B,PERSISTENT=1,CLUSTER_M=1 pair=$B,PERSISTENT=1,CLUSTER_M=2 pair+one_tile=$B,PERSISTENT=0,CLUSTER_M=2 pair+3_stages=${B/STAGES=4/STAGES=3},PERSISTENT=1,CLUSTER_M=2" \
  bash bench/gemm/variants.sh

source bench/device_env.sh  # the calibration variants.sh kept
fixed="WM=64,WN=64,GROUP_M=8,MIN_BLOCKS=1,WHOLE_CHUNKS=true"
for c in "BM=128,BN=256,BK=32,STAGES=4,SWIZZLE=64,PREFETCH=true" "BM=128,BN=256,BK=64,STAGES=3,SWIZZLE=128,PREFETCH=true" \
         "BM=256,BN=128,BK=64,STAGES=3,SWIZZLE=128,PREFETCH=true" "BM=256,BN=128,BK=32,STAGES=4,SWIZZLE=64,PREFETCH=true" \
         "BM=128,BN=128,BK=32,STAGES=4,SWIZZLE=64,PREFETCH=true" "BM=128,BN=256,BK=32,STAGES=4,SWIZZLE=64,PREFETCH=false"; do
  echo ">> gemm_sm80 8192^3 $c"
  timeout 90 "$TK" bench gemm_sm80 --shape 8192x8192x8192 --config "$c,$fixed" 2>&1 | grep -E "µs|cuBLAS|rror|fail" | head -4
done 2>&1 | tee "$OUT/sm80.txt"
