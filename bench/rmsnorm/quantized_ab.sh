#!/usr/bin/env bash
# bench/rmsnorm/quantized_ab.sh: a change to the quantized norms (rmsnorm_fp8.cu)
# against the build it changes, in one device call (about 5 minutes on an H100),
# from the repo root. A = the build as committed ($A, default .carry/head/tkbench),
# B = the changed one (.carry/tkbench, .carry/tkbench_tests):
#   1. calibration (the copy roof % of copy is judged against);
#   2. each case (a line "template shape config" of $CASES, default
#      bench/rmsnorm/quantized_cases.txt) benched A B B A: drift over the call cancels
#      (cases numbered $FIRST_LATER on wait until after steps 4 and 5);
#   3. B tuned (bayes, $BUDGET configs, $TUNE_TIME a shape) at $DECODE_SHAPES for
#      $DECODE_TEMPLATES (DECODE_TEMPLATES= for none): the best config, and the best of each PREFETCH value;
#   4. CUPTI counters (DRAM bytes read and written, DRAM %) of the cases at
#      $PROFILE_SHAPES, A and B;
#   5. ncu's full set (clocks not locked) for B's cases numbered $NCU_CASES (default 1; NCU=0: none);
#   6. B's [gpu] test "the quantized norms*" (correct before fast: a failure voids B's times;
#      SKIP_TESTS=1: not run, for a build whose test has passed on this card);
#   7. one table (quantized_ab.py).
# Results: quantized_ab.tgz.
set -u
source bench/device_env.sh
trap 'pack_run quantized_ab' EXIT
begin=$(date +%s)
A=${A:-.carry/head/tkbench}
B=$PWD/.carry/tkbench
cases=${CASES:-bench/rmsnorm/quantized_cases.txt}
cp "$cases" "$RUN/cases.txt"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv | tee "$RUN/gpu.txt"

progress "calibrate"
$B calibrate -q > "$RUN/calibrate.txt" 2>&1; $B devices | tee "$RUN/devices.txt"

# numbered_cases: "I template shape config" for each case of cases.txt, numbered from 1
# as quantized_ab.py numbers them (comments and blank lines skipped).
numbered_cases() { grep -v -e '^#' -e '^[[:space:]]*$' "$RUN/cases.txt" | nl -w1 -s' '; }

# bench_cases FIRST LAST: cases FIRST..LAST, each benched A B B A.
bench_cases() {
  progress "benches $1-$2: A = $A, B = $B, order A B B A"
  while read -r i template shape config <&3; do
    [ $i -lt $1 ] || [ $i -gt $2 ] && continue
    for round in 1 2; do
      order="a b"; [ $round = 2 ] && order="b a"
      for side in $order; do
        bin=$A; [ $side = b ] && bin=$B
        timeout 60 $bin bench "$template" --shape "$shape" --dtype bf16 --config "$config" --max-time 1 --json \
          > "$RUN/ab-$i-$side-$round.json" 2> "$RUN/ab-$i-$side-$round.err" || echo "   case $i $side: exit $?"
      done
    done
    python3 bench/rmsnorm/quantized_ab.py "$RUN" --case $i
  done 3< <(numbered_cases)
}
# The cases up to FIRST_LATER - 1 now, the rest (FIRST_LATER on) after the counters and ncu.
later=${FIRST_LATER:-1000}
bench_cases 1 $((later - 1))

for t in ${DECODE_TEMPLATES-add_rmsnorm_fp8 add_rmsnorm_mxfp8 rmsnorm_mxfp8}; do
  progress "B tuned: $t at ${DECODE_SHAPES:=1x8192,8x8192,32x8192}"
  timeout 150 $B tune "$t" --shape "$DECODE_SHAPES" --dtype bf16 --strategy bayes --budget "${BUDGET:-100}" \
    --time "${TUNE_TIME:-12s}" --max-time 0.25 -o "$RUN/tune-$t.json" -q > "$RUN/tune-$t.txt" 2>&1
  echo "   exit $?"; grep -E "^[0-9]+x[0-9]+ " "$RUN/tune-$t.txt"
done

while read -r i template shape config <&3; do
  [[ ",${PROFILE_SHAPES:-8192x65536}," == *",$shape,"* ]] || continue
  for side in a b; do
    bin=$A; [ $side = b ] && bin=$B
    progress "counters, case $i ($side): $template $shape"
    timeout 60 $bin profile "$template" --shape "$shape" --dtype bf16 --config "$config" --max-time 0.5 --json \
      > "$RUN/profile-$i-$side.json" 2> "$RUN/profile-$i-$side.err" || echo "   exit $?"
  done
done 3< <(numbered_cases)

if [ "${NCU:-1}" != 0 ]; then
  while read -r i template shape config <&3; do
    [[ " ${NCU_CASES:-1} " == *" $i "* ]] || continue
    progress "ncu, case $i (b): $template $shape"
    # The kernel, not its _reference; the verification launch first, the second a timed one.
    timeout 120 ncu --set full --clock-control none --kernel-name-base demangled -k 'regex:quantized<' \
      --launch-skip 1 --launch-count 1 -o "$RUN/ncu-$i" \
      $B bench "$template" --shape "$shape" --dtype bf16 --config "$config" --max-time 0.05 > "$RUN/ncu-$i.log" 2>&1
    echo "   exit $?"
    [ -f "$RUN/ncu-$i.ncu-rep" ] && ncu -i "$RUN/ncu-$i.ncu-rep" --page details > "$RUN/ncu-$i.txt" 2>&1 &&
      grep -E "DRAM Throughput|Memory Throughput|Duration|Stall|Issue Slots Busy|Achieved Occupancy|L2 Hit" "$RUN/ncu-$i.txt" | head -12
  done 3< <(numbered_cases)
fi

[ -n "${FIRST_LATER:-}" ] && bench_cases $later 1000

if [ "${SKIP_TESTS:-0}" != 1 ]; then
  progress "B's [gpu] test: the quantized norms*"
  TKBENCH_BINARY=$B timeout "${TEST_TIMEOUT:-200}" .carry/tkbench_tests "the quantized norms*" -d yes > "$RUN/gpu-tests-quantized.txt" 2>&1
  echo "   exit $?"; grep -E "FAILED|passed|failed" "$RUN/gpu-tests-quantized.txt" | tail -n 6
fi

progress "summary"
python3 bench/rmsnorm/quantized_ab.py "$RUN" | tee "$RUN/summary.md"
