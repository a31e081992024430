#!/usr/bin/env bash
# bench/rmsnorm/decode.sh: issue 6's decode shapes, searched whole, in one
# device call, from the repo root with a stripped build in .carry/
# (bench/README.md):
#   1. rmsnorm at 1x8192, 8x8192 and 32x8192 (and 4096 unless FAST=1): every
#      config of the space (about 200 with ROWS = 1 at M < 256), each timed per
#      call in a CUDA graph over cold input sets, as run.sh does
#   2. the winner of each shape timed again on its own (bench, 1 s): a search
#      over 200 configs keeps the luckiest median, a second run shows the
#      figure holds
#   3. the floor under any kernel timed that way: a copy of 16 bytes, and
#      copies of 16 and 32 KiB (the bytes of one 8192-wide bf16 row)
#   4. the [gpu] family test (correctness of every kernel path) in the time left
# Everything lands in $RUN and is packed into $OUT/rmsnorm_decode.tgz.
set -u
source bench/device_env.sh
trap 'pack_run rmsnorm_decode' EXIT
begin=$(date +%s)
elapsed() { echo $(( $(date +%s) - begin )); }
shapes=1x8192,8x8192,32x8192
[ "${FAST:-0}" = 1 ] || shapes=$shapes,1x4096,8x4096,32x4096

$TK calibrate -q > /dev/null && $TK devices | tee "$RUN/devices.txt"

echo ">> [$(elapsed) s] 1. exhaustive decode tune: $shapes"
timeout ${TUNE_CAP:-300} $TK tune rmsnorm --shape "$shapes" --dtype bf16 --strategy exhaustive --max-time 0.25 \
  --force -o "$RUN/decode.json" -q > "$RUN/decode-tune.txt" 2>&1
echo ">> tune exit $? at $(elapsed) s"; grep -v "configs, .* failed$" "$RUN/decode-tune.txt" | tail -n 10

echo ">> [$(elapsed) s] 2. winners timed again"
python3 - "$RUN/decode.json" > "$RUN/winners.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
best = {}
for r in d["results"]:
    if r["status"] != "ok": continue
    s, t = r["problem"]["shape"], r["measurement"]["timing"]["median_us"]
    if s not in best or t < best[s][0]: best[s] = (t, ",".join(f"{k}={v}" for k, v in r["config"].items()))
for s, (t, c) in best.items(): print(s, c, f"{t:.3f}")
PY
median() {  # median_us (and how it was timed) of a `bench --json` document on stdin
  python3 -c 'import json,sys; t=json.load(sys.stdin)["results"][0]["measurement"]["timing"]; print(round(t["median_us"],3), "us, graph" if t.get("graph") else "us, events", t.get("launches_per_sample"), "calls/sample")' 2>&1
}
while read -r shape config tuned; do
  for i in 1 2; do
    t=$($TK --json bench rmsnorm --shape "$shape" --dtype bf16 --config "$config" --max-time 1 2>/dev/null | median)
    echo "rebench $shape $config: tuned $tuned us, again $t" | tee -a "$RUN/rebench.txt"
  done
done < "$RUN/winners.txt"

echo ">> [$(elapsed) s] 3. floors: copies of 16 B, 16 KiB, 32 KiB"
for n in 8 8192 16384; do
  t=$($TK --json bench copy --shape $n --dtype bf16 --config VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=0 --max-time 1 \
    2>"$RUN/copy-$n.err" | tee "$RUN/copy-$n.json" | median)
  echo "copy of $n bf16: $t" | tee -a "$RUN/floors.txt"
done

left=$(( ${TOTAL_CAP:-560} - $(elapsed) ))
echo ">> [$(elapsed) s] 4. [gpu] family test (cap ${left} s)"
timeout $left .carry/tkbench_tests "the rmsnorm family is correct*" -d yes > "$RUN/gpu-test.txt" 2>&1
echo ">> gpu test exit $? after $(elapsed) s"; tail -n 6 "$RUN/gpu-test.txt"
