#!/usr/bin/env bash
# bench/gemm/variants.sh: issue 17's kernel options side by side in one device
# call (about 5 minutes), from the repo root with a stripped build in .carry/:
#   1. the [gpu] tests of gemm, gemm_kn, gemm_splitk and the cuBLAS baseline, in
#      parallel (odd shapes, every epilogue and cluster option);
#   2. `bench gemm` of the best hand config with each variant (the epilogue from
#      registers or by TMA store; one block or a pair sharing B by multicast) at
#      the square and LLM shapes, cuBLAS timed in the same worker each time;
#   3. one table of % of cuBLAS per shape and variant (variants_summary.py);
#   4. tunes of the other goals' kernels: transpose at 16384^2 (bf16, fp32; its
#      whole space) beside a copy of the same bytes, gemm_splitk at the skinny
#      shapes and gemm_sm80 (mma.sync) at 8192^3 (bayes), each with cuBLAS in
#      the same worker.
#   PHASES="tests variants transpose skinny sm80" (default: all), SHAPES=...,
#   TESTS="group;group" (test groups in place of the list below),
#   EXTRA_TESTS="[gpu][rmsfam]" (one more test group beside them),
#   VARIANTS="name=CONFIG ...", SKINNY=... (or SKINNY=all: the issue's 27 shapes, M in
#   {16, 64, 128} and N, K in {4096, 7168, 14336}; with BUDGET=20 about 6 minutes),
#   BUDGET=configs per tune, TUNE_TIMEOUT=seconds per tune call (default 150),
#   COUNTERS=1 (CUPTI counters on every bench and tune result: tensor-pipe
#   activity, L2 hit rate, DRAM bytes, occupancy)
set -u
source bench/device_env.sh
trap 'pack_run gemm_variants' EXIT
begin=$(date +%s)
shapes=${SHAPES:-8192x8192x8192,4096x4096x4096,2048x2048x2048,8192x4096x4096,8192x14336x4096,8192x4096x14336,8192x18432x7168,8192x7168x16384}
base="BM=128,BN=256,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,PERSISTENT=1"
# Pairs ran at 42% of cuBLAS on an H100 (bench/results/2026-12-06-h100-gemm-tma-store): the last two variants
# ask whether fewer co-resident clusters (one tile per cluster) or shared memory (3 stages) is why.
variants=${VARIANTS:-"registers=$base,GROUP_M=8,TMA_STORE=0,CLUSTER_M=1 tma_store=$base,GROUP_M=8,TMA_STORE=1,CLUSTER_M=1 tma_store+g16=$base,GROUP_M=16,TMA_STORE=1,CLUSTER_M=1 tma_store+pair=$base,GROUP_M=8,TMA_STORE=1,CLUSTER_M=2 pair+one_tile=${base/PERSISTENT=1/PERSISTENT=0},GROUP_M=8,TMA_STORE=1,CLUSTER_M=2 pair+3_stages=${base/STAGES=4/STAGES=3},GROUP_M=8,TMA_STORE=1,CLUSTER_M=2"}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw --format=csv | tee "$RUN/gpu.txt"

counters=${COUNTERS:+--counters}
phases=" ${PHASES:-tests variants transpose skinny sm80} "
want() { [[ "$phases" == *" $1 "* ]]; }

if want tests; then
  echo ">> [$(( $(date +%s) - begin )) s] [gpu] tests"
  i=0
  groups=("[gpu][gemm]" "gemm_kn (wgmma*" "gemm_splitk is correct*" "[gpu][baseline]" "transpose is exact at odd shapes*")
  [ -n "${TESTS:-}" ] && IFS=';' read -r -a groups <<< "$TESTS"
  for g in "${groups[@]}" ${EXTRA_TESTS:+"$EXTRA_TESTS"}; do
    i=$((i + 1))
    ( timeout "${TEST_TIMEOUT:-240}" .carry/tkbench_tests "$g" -r compact > "$RUN/tests-$i.log" 2>&1
      echo "rc=$? $g" > "$RUN/tests-$i.rc" ) &
  done
  wait
  # Catch exits 0 when a name matches nothing (a comma in a test spec splits it: name groups by a wildcard or tag).
  for f in "$RUN"/tests-*.rc; do cat "$f"; grep -E "passed|failed|FAILED|No test cases matched" "${f%.rc}.log" | tail -3 | sed 's/^/    /'; done
fi

if want variants; then
  for v in $variants; do
    name=${v%%=*} config=${v#*=}
    echo ">> [$(( $(date +%s) - begin )) s] bench $name ($config)"
    timeout 120 $TK bench gemm --shape "$shapes" --dtype bf16 --config "$config" $counters --json > "$RUN/bench-$name.json" 2> "$RUN/bench-$name.err"
    echo "   exit $?"; grep -iE "error|fail" "$RUN/bench-$name.err" | head -5
  done
  python3 bench/gemm/variants_summary.py "$RUN"/bench-*.json | tee "$RUN/summary.md"
fi

if want transpose; then
  for dtype in bf16 fp32; do
    timeout 60 $TK bench copy --shape 268435456 --dtype $dtype --config VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=false \
      > "$RUN/copy-$dtype.txt" 2>&1; grep -E "µs|us" "$RUN/copy-$dtype.txt" | head -3
    tune_into_run transpose-$dtype transpose 16384x16384 $dtype exhaustive --max-time 0.2 $counters
  done
fi
if want skinny; then
  skinny=${SKINNY:-16x4096x14336,64x7168x4096,128x14336x4096,64x4096x7168}
  if [ "$skinny" = all ]; then
    skinny=$(skinny_shapes)
  fi
  tune_into_run skinny gemm_splitk "$skinny" bf16 bayes --budget "${BUDGET:-40}" --max-time 0.2 $counters
fi
if want sm80; then
  tune_into_run sm80 gemm_sm80 8192x8192x8192 bf16 bayes --budget "${BUDGET:-40}" --max-time 0.3 $counters
fi
echo ">> done after $(( $(date +%s) - begin )) s"
