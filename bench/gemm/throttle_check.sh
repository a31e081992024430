#!/usr/bin/env bash
# bench/gemm/throttle_check.sh: does the throttle guard (profiler/throttle_guard.hpp)
# keep long GEMM runs off throttled clocks, and do their ratios hold still? One device call (about 3 minutes on a fresh
# machine, calibration included), from the repo root with a stripped build in
# .carry/ (bench/README.md):
#   1. `bench gemm` of the default config at the shapes whose timings ran
#      power-capped on 2026-12-07 (cuBLAS in the same worker);
#   2. `tune gemm --shape 8192x8192x8192` as a user types it (bayes 150), wall-clocked;
#   3. `bench gemm` of the two largest LLM shapes REPEATS times (default 3),
#      back to back: does % of cuBLAS hold still? (With NVML's clock alone it
#      read 116.4%, 111.6% and 97.0% at 8192x18432x7168.)
#   4. per document: timings throttled after resting, samples dropped, seconds
#      rested, samples clocked in the stream, the lowest clock kept, each
#      shape's % of cuBLAS with both clocks (throttle_summary.py).
# The in-stream clock (branch sample-clock) is checked by its [gpu][throttle] test first.
# Before the guard: 681 of 1,134 sweep timings and 98 of 150 tune timings at
# 8192^3 throttled, clocks down to 1,185 MHz (results/2026-12-07f-h100). Read in
# the stream, a rested H100 runs these GEMMs at its 700 W cap, 1,550-1,630 MHz;
# at 75% the ratios held within 1.5% over three calls (results/2026-12-07g-h100).
# THRESHOLD, where set, is passed as --throttle-threshold (else tkbench's default,
# 75%). Results: gemm_throttle.tgz.
set -u
source bench/device_env.sh
trap 'pack_run gemm_throttle' EXIT
begin=$(date +%s)
threshold=()
[[ -n "${THRESHOLD:-}" ]] && threshold=(--throttle-threshold "$THRESHOLD")
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw,power.limit --format=csv | tee "$RUN/gpu.txt"
if .carry/tkbench_tests --list-test-names-only "[gpu][throttle]" 2> /dev/null | grep -q .; then
  progress "[gpu][throttle] test"
  timeout 120 .carry/tkbench_tests "[gpu][throttle]" > "$RUN/tests.log" 2>&1; echo "   exit $?"; tail -n 3 "$RUN/tests.log"
fi
progress "calibrate"
$TK calibrate -q > /dev/null
progress "bench gemm (default config, cuBLAS in the same worker)"
timeout 150 $TK bench gemm --shape ${SHAPES:-8192x8192x8192,8192x18432x7168,16384x14336x4096,16384x18432x7168,16384x7168x16384} \
  --dtype bf16 "${threshold[@]}" --json > "$RUN/bench.json" 2> "$RUN/bench.err"
echo "   exit $?"
python3 bench/gemm/throttle_summary.py "$RUN/bench.json" | tee "$OUT/bench-summary.md"  # in $OUT now: a call cut later keeps it
progress "tune gemm 8192^3 as typed"
start=$(date +%s)
timeout 240 $TK tune gemm --shape 8192x8192x8192 "${threshold[@]}" -o "$RUN/tune.json" > "$RUN/tune.txt" 2>&1
echo "   exit $? after $(( $(date +%s) - start )) s wall"; tail -n 4 "$RUN/tune.txt"
for i in $(seq "${REPEATS:-3}"); do
  progress "bench gemm, the two largest LLM shapes, repeat $i"
  timeout 60 $TK bench gemm --shape 8192x18432x7168,16384x18432x7168 --dtype bf16 --max-time 2 \
    "${threshold[@]}" --json > "$RUN/bench-big-$i.json" 2> "$RUN/bench-big-$i.err"
done
python3 bench/gemm/throttle_summary.py "$RUN/bench.json" "$RUN/tune.json" "$RUN"/bench-big-*.json | tee "$RUN/summary.md"
progress "done"
