#!/usr/bin/env bash
# bench/rmsnorm/probe.sh: one device run for what issue 6 still needs, from the
# repo root with a stripped build in .carry/ (bench/README.md):
#   1. the [gpu] Catch test of the rmsnorm family (correctness of every kernel path)
#   2. the kernel paths new since the last tune: rows split between registers
#      and shared memory (8192x65536, 8192x32768) and clusters at decode shapes
#   3. CUPTI counters (DRAM bytes against ideal, DRAM %, occupancy) at the
#      shapes that miss a goal, for rmsnorm and a copy of the same footprint
#   4. PyTorch eager and torch.compile on every shape (torch_baseline.py)
# Each step has a time cap so the whole run ends inside the device tool's 10
# minutes; everything lands in $RUN and is packed into $OUT/rmsnorm_probe.tgz.
set -u
source bench/device_env.sh
trap 'pack_run rmsnorm_probe' EXIT
begin=$(date +%s)
elapsed() { echo $(( $(date +%s) - begin )); }
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | awk '{print tolower($2)}')

echo ">> [$(elapsed) s] 1. [gpu] family test"
timeout ${TEST_CAP:-200} .carry/tkbench_tests "the rmsnorm family is correct*" -d yes > "$RUN/gpu-test.txt" 2>&1
echo ">> gpu test exit $? after $(elapsed) s"; tail -n 6 "$RUN/gpu-test.txt"

$TK calibrate -q > /dev/null && $TK devices | tee "$RUN/devices.txt"

echo ">> [$(elapsed) s] 2. new kernel paths"
tune() {  # tune OUTNAME SHAPES ARGS...
  local name=$1 shapes=$2; shift 2
  timeout 120 $TK tune rmsnorm --shape "$shapes" --dtype bf16 --max-time 0.25 --force -o "$RUN/$name.json" -q "$@" \
    > "$RUN/$name.txt" 2>&1
  echo ">> $name: exit $? at $(elapsed) s"; grep -v "configs, .* failed$" "$RUN/$name.txt" | tail -n 8
}
tune long-split 8192x65536,8192x32768 --config ROW_SMEM=1,ROW_GROUPS=1,WLOAD=0 --strategy exhaustive --time 30s
tune long-bayes 8192x65536 --strategy bayes --budget 80 --time 20s
tune decode 1x4096,1x8192,8x8192,32x8192 --strategy bayes --budget 150 --time 12s

echo ">> [$(elapsed) s] 3. counters"
best() {  # best config of a results document at a shape, as K=V,...
  python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = [r for r in d["results"] if r["status"] == "ok" and r["problem"]["shape"] == sys.argv[2]]
r = min(ok, key=lambda r: r["measurement"]["timing"]["median_us"])
print(",".join(f"{k}={v}" for k, v in r["config"].items()))
PY
}
profile() {  # profile TEMPLATE SHAPE CONFIG
  echo "== $1 $2 $3" >> "$RUN/counters.txt"
  timeout 60 $TK profile "$1" --shape "$2" --dtype bf16 ${3:+--config "$3"} --max-time 0.5 >> "$RUN/counters.txt" 2>&1
  timeout 60 $TK --json profile "$1" --shape "$2" --dtype bf16 ${3:+--config "$3"} --max-time 0.5 > "$RUN/counters-$1-$2.json" 2>/dev/null
}
for s in 8192x65536 8192x32768; do profile rmsnorm $s "$(best "$RUN/long-split.json" $s)"; done
profile rmsnorm 8192x65536 "$(best "$RUN/long-bayes.json" 8192x65536)"
profile rmsnorm 8192x65536 VEC=4,THREADS=128,ROWS=1,ITEMS=0,HINT=1,WLOAD=0,CLUSTER=4,ROW_SMEM=1,ROW_GROUPS=1   # last tune's best
profile rmsnorm 4096x2048 VEC=8,THREADS=128,ROWS=1,ITEMS=2,HINT=1,WLOAD=1,CLUSTER=1,ROW_SMEM=0,ROW_GROUPS=1
profile rmsnorm 4096x4096 VEC=8,THREADS=128,ROWS=1,ITEMS=4,HINT=0,WLOAD=0,CLUSTER=1,ROW_SMEM=0,ROW_GROUPS=1
profile rmsnorm 32768x256 VEC=8,THREADS=16,ROWS=4,ITEMS=2,HINT=1,WLOAD=1,CLUSTER=1,ROW_SMEM=0,ROW_GROUPS=1
profile rmsnorm 1x8192 "$(best "$RUN/decode.json" 1x8192)"
profile rmsnorm 32x8192 "$(best "$RUN/decode.json" 32x8192)"
for n in 8388608 16777216 536870912; do  # copies of 4096x2048, 4096x4096 and 8192x65536's footprints
  profile copy $n VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=0
done
grep -E "^==|DRAM|occupancy|µs" "$RUN/counters.txt" | head -n 80

echo ">> [$(elapsed) s] 4. PyTorch"
shapes=$(python3 - <<'PY'
import tomllib
t = tomllib.load(open("bench/rmsnorm/shapes.toml", "rb"))
print(" ".join(f"{m}x{n}" for c in t.values() for m in c["M"] for n in c["N"]))
PY
)
left=$(( ${TOTAL_CAP:-570} - $(elapsed) ))
PYTHONUNBUFFERED=1 timeout $left python3 bench/rmsnorm/torch_baseline.py "$RUN/torch-$gpu.json" $shapes > "$RUN/torch.txt" 2>&1
echo ">> torch: exit $? at $(elapsed) s"; grep "^torch" "$RUN/torch.txt" | tail -n 50; grep -i "error\|Traceback" "$RUN/torch.txt" | head
