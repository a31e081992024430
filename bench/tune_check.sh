#!/usr/bin/env bash
# Tuner check (issue 5), for the device tool, from the repo root, with a
# stripped build in .carry/. Exhaustive tune of rmsnorm_basic at two shapes with a
# cold compile cache (rate, GPU-busy share), the second call answered from the
# tuning cache, and a run killed with SIGKILL mid-way then resumed.
set -u
source bench/device_env.sh
$TK calibrate -q > /dev/null
$TK devices

start=$(date +%s.%N)
$TK tune rmsnorm_basic --shape 4096x8192,16384x8192 -o "$OUT/tune.json" -q
end=$(date +%s.%N)
python3 - "$OUT/tune.json" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); n = len(d["results"]); wall = float(sys.argv[3]) - float(sys.argv[2])
ok = sum(1 for r in d["results"] if r["status"] == "ok")
print(f"exhaustive tune: {n} configs ({ok} ok) in {wall:.1f} s wall = {n/wall:.2f} configs/s, cold compile cache")
PY

start=$(date +%s.%N); $TK tune rmsnorm_basic --shape 4096x8192,16384x8192 -o "$OUT/tune2.json"; end=$(date +%s.%N)
awk -v a=$start -v b=$end 'BEGIN { printf "second call (tuning cache): %.2f s\n", b - a }'

# SIGKILL in the middle, then resume: nothing lost, nothing evaluated twice.
$TK tune rmsnorm_basic --shape 16384x8192 --dtype fp16 -o "$OUT/killed.json" -q --force > /dev/null 2>&1 &
pid=$!
# Kill once 20 results are journaled: mid-way through 92, whatever the speed.
for i in $(seq 1 600); do
  n=$(grep -c '"type":"result"' "$OUT/killed.json.journal" 2>/dev/null); n=${n:-0}
  [ "$n" -ge 20 ] && break
  sleep 0.05
done
kill -9 $pid; wait $pid 2>/dev/null
before=$(grep -c '"type":"result"' "$OUT/killed.json.journal")
echo "killed after $before journaled results; last line intact: $(tail -c 200 $OUT/killed.json.journal | grep -c '}$')"
$TK tune rmsnorm_basic --shape 16384x8192 --dtype fp16 --resume "$OUT/killed.json" -q
python3 - "$OUT/killed.json" "$before" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); cfgs = [json.dumps(r["config"], sort_keys=True) for r in d["results"]]
print(f"resumed document: {len(cfgs)} results, {len(set(cfgs))} distinct configs, {sys.argv[2]} kept from before the kill")
PY
$TK cache info | tail -n 5

# An exhaustive copy space for bench/search_quality, and the adaptive strategies on the GPU.
$TK tune copy --shape 268435456 -o "$OUT/copy_space.json" -q
for s in genetic anneal; do
  $TK tune rmsnorm_basic --shape 16384x8192 --strategy $s --budget 20 --force -o "$OUT/$s.json" -q
done
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
best = lambda f: min(r["measurement"]["timing"]["median_us"] for r in json.load(open(f))["results"] if r["status"] == "ok")
ex = best(f"{out}/tune.json") if False else min(r["measurement"]["timing"]["median_us"] for r in json.load(open(f"{out}/tune.json"))["results"] if r["status"] == "ok" and r["problem"]["shape"] == "16384x8192")
for s in ["genetic", "anneal"]:
    b = best(f"{out}/{s}.json"); print(f"{s} (20 of 92 configs): best {b:.2f} us vs exhaustive {ex:.2f} us ({(b/ex-1)*100:+.1f}%)")
PY

.carry/tkbench_tests "[gpu]" > "$OUT/gpu_tests.txt" 2>&1
grep -B3 -A12 "FAILED" "$OUT/gpu_tests.txt" | head -40
tail -n 2 "$OUT/gpu_tests.txt"
