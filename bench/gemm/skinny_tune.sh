#!/usr/bin/env bash
# bench/gemm/skinny_tune.sh: issue 17's skinny goal as a user reaches it, in one
# device call (about 4 minutes), from the repo root with a stripped build in
# .carry/ (bench/README.md):
#   1. gemm_splitk's [gpu] test (odd and skinny shapes, swapped operands with 16,
#      32 and 64 rows of A, splits, two blocks a SM), at most TEST_TIMEOUT s;
#   2. gemm_splitk tuned (bayes, BUDGET configs a shape, default 30, over the
#      whole space) at the 27 skinny shapes, cuBLAS in the same worker;
#   3. one table (skinny_summary.py): % of cuBLAS per shape, the best of each split.
# Results: gemm_skinny_tune.tgz.
set -u
source bench/device_env.sh
trap 'pack_run gemm_skinny_tune' EXIT
begin=$(date +%s)
shapes=${SHAPES:-$(skinny_shapes)}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw --format=csv | tee "$RUN/gpu.txt"

progress "gemm_splitk's [gpu] test"
timeout "${TEST_TIMEOUT:-100}" .carry/tkbench_tests "gemm_splitk is correct*" -r compact > "$RUN/tests.log" 2>&1
echo "   exit $?"; grep -E "passed|failed|FAILED|No test cases" "$RUN/tests.log" | tail -3

TUNE_TIMEOUT=${TUNE_TIMEOUT:-170} tune_into_run skinny gemm_splitk "$shapes" bf16 bayes --budget "${BUDGET:-30}" --max-time 0.15
python3 bench/gemm/skinny_summary.py "$RUN/tune-skinny.json" | tee "$RUN/summary.md"
progress done
