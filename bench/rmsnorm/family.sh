#!/usr/bin/env bash
# bench/rmsnorm/family.sh: issue 18's template work in one device call (< 9 min
# on an H200), from the repo root with a stripped build in .carry/ (bench/README.md):
#   1. the [gpu] tests of rows off a vector boundary and of the quantized norms
#      (random inputs, poisoned outputs, fp64 references)
#   2. rmsnorm and add_rmsnorm tuned (bayes) at 16384x5125, 4096x5125 and
#      65536x1001, each beside a copy kernel moving the same bytes: % of copy
#      (goal: >= 90%)
#   3. rmsnorm_fp8, rmsnorm_mxfp8 and their fused residual-add variants tuned at
#      a decode shape and prefill shapes (>= 128 MiB moved), beside torch.compile
#      of the same composite (torch_quantized.py) and the calibrated copy
#      (goals: >= 95% of the calibrated copy at >= 128 MiB; faster than
#      torch.compile; decode <= 2.5 us in a graph)
#   4. one table (family_summary.py); where a goal is missed, `tkbench profile` of the
#      best config there, and the table again with those counters
# Knobs: BUDGET (configs per shape, default 60), TUNE_TIME (per shape, default 6s),
# SKIP_TESTS=1, SKIP_TORCH=1, SKIP_ODD=1 (no part 2), ODD_SHAPES / Q_SHAPES to replace
# the shape lists (Q_SHAPES=all: every shape of rmsnorm/shapes.toml), Q_TEMPLATES (default
# the four quantized norms). The "faster than torch.compile at every shape" in two
# calls of about 8 minutes:
#   SKIP_TESTS=1 SKIP_ODD=1 Q_SHAPES=all Q_TEMPLATES="rmsnorm_fp8 add_rmsnorm_fp8" TUNE_TIME=3s bash bench/rmsnorm/family.sh
#   SKIP_TESTS=1 SKIP_ODD=1 Q_SHAPES=all Q_TEMPLATES="rmsnorm_mxfp8 add_rmsnorm_mxfp8" TUNE_TIME=3s bash bench/rmsnorm/family.sh
# Everything lands in $RUN and is packed into $OUT/rmsnorm_family.tgz.
set -u
source bench/device_env.sh
trap 'pack_run rmsnorm_family' EXIT
begin=$(date +%s)
elapsed() { echo $(( $(date +%s) - begin )); }
odd_shapes=${ODD_SHAPES:-16384x5125,4096x5125,65536x1001}
q_shapes=${Q_SHAPES:-32x4096,16384x8192,65536x4096}
if [ "$q_shapes" = all ]; then
  q_shapes=$(python3 -c 'import tomllib; t = tomllib.load(open("bench/rmsnorm/shapes.toml", "rb")); print(",".join(f"{m}x{n}" for c in t.values() for m in c["M"] for n in c["N"]))')
fi
q_templates=${Q_TEMPLATES:-rmsnorm_fp8 rmsnorm_mxfp8 add_rmsnorm_fp8 add_rmsnorm_mxfp8}

if [ "${SKIP_TESTS:-0}" != 1 ]; then
  echo ">> [$(elapsed) s] 1. [gpu] tests"
  timeout ${TEST_CAP:-180} .carry/tkbench_tests "[gpu][rmsfam]" -d yes > "$RUN/gpu-tests.txt" 2>&1
  echo ">> [gpu] tests exit $? after $(elapsed) s"; grep -E "FAILED|passed|failed|REQUIRE|CHECK\(" "$RUN/gpu-tests.txt" | tail -n 12
fi

$TK calibrate -q > /dev/null && $TK devices | tee "$RUN/devices.txt"

tune() {  # tune TEMPLATE SHAPES
  local start=$(date +%s)
  timeout 150 $TK tune "$1" --shape "$2" --dtype bf16 --max-time 0.25 --time "${TUNE_TIME:-6s}" \
    --strategy bayes --budget "${BUDGET:-60}" -o "$RUN/$1-tuned.json" -q > "$RUN/$1-tune.txt" 2>&1
  echo ">> tune $1 ($2): $(( $(date +%s) - start )) s (exit $?)"; grep -v "configs, .* failed$" "$RUN/$1-tune.txt" | tail -n 6
}
copy_of() {  # copy_of TEMPLATE SHAPE TENSORS: a copy kernel moving TENSORS/2 x M x N bf16 each way
  local s=$2 elems=$(( ${2%x*} * ${2#*x} * $3 / 2 ))
  $TK bench copy --shape $elems --dtype bf16 --config VEC_BYTES=16,THREADS=256,UNROLL=4,STREAMING=0 \
    --json > "$RUN/copy-$1-$s.json" 2> /dev/null || echo ">> copy $1 $s: exit $?"
}

if [ "${SKIP_ODD:-0}" != 1 ]; then
  echo ">> [$(elapsed) s] 2. any N: rmsnorm, add_rmsnorm at $odd_shapes"
  tune rmsnorm "$odd_shapes"
  tune add_rmsnorm "$odd_shapes"
  for s in ${odd_shapes//,/ }; do copy_of rmsnorm $s 2; copy_of add_rmsnorm $s 4; done
fi

echo ">> [$(elapsed) s] 3. quantized norms at $q_shapes"
for t in $q_templates; do tune $t "$q_shapes"; done
if [ "${SKIP_TORCH:-0}" != 1 ]; then
  left=$(( ${TOTAL_CAP:-520} - $(elapsed) ))
  (cd bench/rmsnorm && OPS=$(echo $q_templates | tr ' ' ,) PYTHONUNBUFFERED=1 timeout $left python3 torch_quantized.py "$RUN/torch-quantized.json" ${q_shapes//,/ }) \
    > "$RUN/torch.txt" 2>&1
  echo ">> torch: exit $? at $(elapsed) s"; grep "^torch" "$RUN/torch.txt"; grep -i "error\|Traceback" "$RUN/torch.txt" | head
fi

echo ">> [$(elapsed) s] 4. summary"
python3 bench/rmsnorm/family_summary.py "$RUN" --misses-out "$RUN/misses.txt" > "$RUN/summary.md"
# Where a goal is missed, the counters of the best config there; then the table again, with them.
if [ -s "$RUN/misses.txt" ]; then
  profile_misses "$RUN/misses.txt" $(( begin + ${TOTAL_CAP:-520} + 20 ))
  python3 bench/rmsnorm/family_summary.py "$RUN" > "$RUN/summary.md"
fi
cat "$RUN/summary.md"
