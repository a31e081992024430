#!/usr/bin/env bash
# bench/gemm: issue 17's gemm (wgmma path) against cuBLAS through torch.matmul
# on the GPU machine, from the repo root with a stripped build in .carry/
# (bench/README.md); builds nothing.
#   1. the [gpu] tests of gemm and of the tensor-map swizzle (correctness at
#      odd shapes, the swizzled layout element by element);
#   2. at 8192^3, 4096^3 and 2048^3 bf16: `bench` of a few hand-picked configs
#      (verified against the reference, then timed), then `tune` (bayes,
#      TUNE_BUDGET configs, TUNE_TIME per shape);
#   3. torch.matmul (cuBLAS) on the same shapes, timed the same way
#      (torch_matmul.py), and one table: TFLOP/s and % of cuBLAS (summarize.py).
#   bash bench/gemm/run.sh             all of it
#   SHAPES=4096x4096x4096 bash ...     other shapes (M x N x K)
#   TESTS="[gpu]" bash ...             every [gpu] test, not only gemm's
#   TUNE_BUDGET=0 bash ...             no tune
# Everything lands in $RUN and is packed into $OUT/gemm_bench.tgz.
set -u
source bench/device_env.sh
trap 'pack_run gemm_bench' EXIT
shapes=${SHAPES:-8192x8192x8192,4096x4096x4096,2048x2048x2048}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw --format=csv | tee "$RUN/gpu.txt"

tests=${TESTS:-[gemm],[tensor_map]}
echo ">> [gpu] tests: $tests"
timeout 300 .carry/tkbench_tests "$tests" 2>&1 | tail -60 | tee "$RUN/gpu-tests.log"

echo ">> hand-picked configs"
configs=(
  "BM=128,BN=128,BK=64,STAGES=4,CONSUMERS=1,SWIZZLE=128,GROUP_M=8,PERSISTENT=false"
  "BM=128,BN=256,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,GROUP_M=8,PERSISTENT=true"
  "BM=128,BN=256,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,GROUP_M=16,PERSISTENT=true"
  "BM=256,BN=128,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,GROUP_M=8,PERSISTENT=true"
)
for c in "${configs[@]}"; do
  $TK bench gemm --shape "$shapes" --config "$c" --json >> "$RUN/bench.jsonl" 2>> "$RUN/bench.err" || echo "bench failed: $c" | tee -a "$RUN/bench.err"
  $TK bench gemm --shape "$shapes" --config "$c" 2>&1 | tee -a "$RUN/bench.txt"
done

echo ">> tune"
[ "${TUNE_BUDGET:-60}" != 0 ] && timeout 420 $TK tune gemm --shape "$shapes" --strategy bayes --budget "${TUNE_BUDGET:-60}" --time "${TUNE_TIME:-120s}" \
  -o "$RUN/gemm-tune.json" 2>&1 | tee "$RUN/tune.txt"

echo ">> torch.matmul (cuBLAS)"
python3 bench/gemm/torch_matmul.py "$shapes" 2>&1 | tee "$RUN/torch.txt"
python3 bench/gemm/summarize.py "$RUN" 2>&1 | tee "$RUN/summary.md"
