#!/usr/bin/env bash
# bench/calibration/size_roofs.sh: issue 18 item 5 (roofs that know the size) in
# one device call of about 3 minutes on an H200, from the repo root with a
# stripped build in .carry/ (bench/README.md):
#   1. the [size_roof] [gpu] test (a short curve: 1 MiB below 1 GiB, a floor under 20 µs)
#   2. `calibrate --force`, timed: the large copy, the bf16 tensor roof, then the
#      copy over 23 footprints (1 MiB to 2 GiB) and the latency floor; the curve
#      and floor as calibrate prints them, and as JSON
#   3. rmsnorm (bf16) at 4096x2048, 1x8192, 32768x256, 32768x512 and 8192x8192:
#      `bench` of its default config and a short `tune` (bayes), each showing
#      % of the large copy beside % of the size-aware roof and the verdict
#   4. `report` of the tune (terminal and Markdown) and `gate` of it against
#      itself (the size SoL column)
# Knobs: SHAPES (comma-separated), BUDGET (configs per shape, default 24),
# TUNE_TIME (per shape, default 4s), SKIP_TESTS=1.
# Everything lands in $RUN and is packed into $OUT/size_roofs.tgz.
set -u
source bench/device_env.sh
trap 'pack_run size_roofs' EXIT
begin=$(date +%s)
elapsed() { echo $(( $(date +%s) - begin )); }
shapes=${SHAPES:-4096x2048,1x8192,32768x256,32768x512,8192x8192}

if [ "${SKIP_TESTS:-0}" != 1 ]; then
  echo ">> [$(elapsed) s] 1. [gpu][size_roof] test"
  timeout 90 .carry/tkbench_tests "[gpu][size_roof]" -d yes > "$RUN/gpu-test.txt" 2>&1
  echo ">> test exit $?"; grep -E "FAILED|passed|failed|floor|REQUIRE|CHECK\(" "$RUN/gpu-test.txt" | tail -n 8
fi

echo ">> [$(elapsed) s] 2. calibrate --force"
start=$(date +%s)
timeout 170 $TK calibrate --force > "$RUN/calibrate.txt" 2> "$RUN/calibrate.err"
echo ">> calibrate exit $? in $(( $(date +%s) - start )) s"
cat "$RUN/calibrate.txt"; grep -i "warn\|error" "$RUN/calibrate.err" | head -5
$TK calibrate --json > "$RUN/calibration.json" 2> /dev/null
python3 - "$RUN/calibration.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["calibration"]
curve = c.get("size_curve")
if not curve:
    sys.exit("no size curve in the calibration")
print(f"latency floor {curve['latency_floor_us']:.3f} us ({curve['latency_floor_bytes']:.0f} B, {curve['latency_floor_config']})")
print(f"{'footprint':>12} {'TB/s':>6} {'% large':>8}  config")
for p in curve["points"]:
    print(f"{p['bytes'] / 2**20:9.1f} MiB {p['bandwidth'] / 1e12:6.2f} {100 * p['bandwidth'] / c['bandwidth']:7.1f}%  {p['config']}")
PY

echo ">> [$(elapsed) s] 3. rmsnorm at $shapes: bench (default config) and tune"
timeout 60 $TK bench rmsnorm --shape "$shapes" --dtype bf16 > "$RUN/bench.txt" 2>&1 || echo ">> bench: exit $?"
grep -E "^rmsnorm|^  (time|bandwidth|size roof|verdict)" "$RUN/bench.txt"
$TK bench rmsnorm --shape "$shapes" --dtype bf16 --json > "$RUN/bench.json" 2> /dev/null
timeout 100 $TK tune rmsnorm --shape "$shapes" --dtype bf16 --strategy bayes --budget "${BUDGET:-24}" --time "${TUNE_TIME:-4s}" \
  --force -o "$RUN/tuned.json" > "$RUN/tune.txt" 2> "$RUN/tune.err"
echo ">> tune exit $? at $(elapsed) s"; cat "$RUN/tune.txt"

echo ">> [$(elapsed) s] 4. report and gate"
$TK report "$RUN/tuned.json" | tee "$RUN/report.txt"
$TK report "$RUN/tuned.json" -o "$RUN/report.md" > /dev/null
$TK report "$RUN/tuned.json" -o "$RUN/report.json" > /dev/null
$TK gate --baseline "$RUN/tuned.json" --current "$RUN/tuned.json" --best-only > "$RUN/gate.txt" 2>&1
echo ">> gate exit $?"; cat "$RUN/gate.txt"
echo ">> done in $(elapsed) s"
