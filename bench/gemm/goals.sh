#!/usr/bin/env bash
# bench/gemm/goals.sh: issue 17's goals measured in one device call (about 7
# minutes on an H100, calibration included), from the repo root with a stripped build in
# .carry/ (bench/README.md):
#   1. variants.sh: the [gpu] tests of every gemm path, tensor maps, the cuBLAS
#      baseline and transpose, in parallel; then `bench gemm` of the default
#      config at the three squares and the fifteen LLM shapes (M = 4096, 8192,
#      16384), cuBLAS timed in the same worker (% of cuBLAS, the LLM median);
#   2. bayes tunes of gemm at 4096^3 and 2048^3 at `tune`'s default budget of 150
#      (cuBLAS in the same worker; at 60 the 4096^3 tune stopped at the default
#      config, 99.9%, where 150 found GROUP_M 4 at 100.6%: results/2026-12-07f-h100);
#   3. `bench gemm_sm80` (mma.sync) of its default at 8192^3;
#   4. transpose 16384^2: bf16 over 16-byte vectors with every tile, thread
#      count, bank cure and block order (GROUP), fp32 over its best kind, each
#      beside a copy of the same bytes.
# Skinny shapes: `PHASES=skinny SKINNY=... bash bench/gemm/variants.sh`.
# Results: gemm_variants.tgz (tests, benches, summary.md) and gemm_goals.tgz.
set -u
llm=""
for m in 4096 8192 16384; do
  for nk in 4096x4096 14336x4096 4096x14336 18432x7168 7168x16384; do llm+=",${m}x$nk"; done
done
TESTS=${TESTS:-'[gpu][gemm];[gpu][tensor_map];gemm_kn*;gemm_splitk*;gemm_sm80*;transpose is exact*;[gpu][baseline]'} \
PHASES="tests variants" SHAPES=${SHAPES:-8192x8192x8192,4096x4096x4096,2048x2048x2048$llm} \
VARIANTS="default=BM=128,BN=256,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,GROUP_M=16,PERSISTENT=1,TMA_STORE=1,CLUSTER_M=1" TEST_TIMEOUT=${TEST_TIMEOUT:-240} \
  bash bench/gemm/variants.sh

source bench/device_env.sh
trap 'pack_run gemm_goals' EXIT
begin=$(date +%s)

export TUNE_TIMEOUT=${TUNE_TIMEOUT:-300}
tune_into_run squares gemm 4096x4096x4096,2048x2048x2048 bf16 bayes --budget "${BUDGET:-150}" --max-time 0.3 --counters

progress "bench gemm_sm80 8192^3 (its default)"
timeout 90 $TK bench gemm_sm80 --shape 8192x8192x8192 --dtype bf16 --counters > "$RUN/sm80.txt" 2>&1
echo "   exit $?"; grep -E "µs|cuBLAS|rror|fail" "$RUN/sm80.txt" | head -6

for dtype in bf16 fp32; do
  progress "copy of the same bytes ($dtype)"
  timeout 60 $TK bench copy --shape 268435456 --dtype $dtype --config VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=false \
    > "$RUN/copy-$dtype.txt" 2>&1; grep -E "µs" "$RUN/copy-$dtype.txt" | head -3
done
tune_into_run transpose-bf16 transpose 16384x16384 bf16 exhaustive --config VEC_BYTES=16,BLOCKS=false --max-time 0.2 --counters
tune_into_run transpose-fp32 transpose 16384x16384 fp32 exhaustive --config VEC_BYTES=8,PAD=true,SWIZZLE=false,BLOCKS=false --max-time 0.2 --counters
progress "done"
