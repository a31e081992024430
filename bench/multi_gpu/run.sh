#!/usr/bin/env bash
# Issue 19 on a machine with several GPUs (nvidia-h200-x2: 2 H200s, 32
# cores), from the repo root with a stripped build in .carry/ (bench/README.md),
# in one device call of about 5 minutes:
#
#   scaling   rmsnorm at four prefill shapes of bench/rmsnorm/shapes.toml,
#             random search, 120 configs a shape, cold compile cache, seed
#             fixed: once with --devices 0 and once with --devices all.
#             Evaluations/s of each and their ratio (goal >= 1.9x on two
#             GPUs, >= 3.6x on four), and whether each shape's winner agrees
#             within 1% (same config, or a time within 1%)
#   shards    rmsnorm_basic at 4096x8192, exhaustive: --shard 0/2 on GPU 0 and
#             --shard 1/2 on GPU 1 as two processes at once, merged, against
#             the unsharded run on GPU 0: the same configs and statuses, the
#             winners within 1%, each config's time within the noise
#   tests     the [multigpu] [gpu] test (`--devices all`, shards merged)
#
#   bash bench/multi_gpu/run.sh                 all three phases
#   bash bench/multi_gpu/run.sh scaling         one phase; STRATEGY=bayes to search with bayes instead
# Everything lands in $RUN, packed into $OUT/multi_gpu.tgz.
set -u
source bench/device_env.sh
trap 'pack_run multi_gpu' EXIT
phases=${*:-scaling shards tests}
$TK devices
gpus=$($TK devices --json 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); print(len(d if isinstance(d, list) else d.get('devices', [])))" 2>/dev/null || echo 1)
echo ">> $gpus GPUs, $(nproc) cores"
# Every GPU calibrated at once (each keeps its own roofs), then kept for every fresh cache below.
start=$(date +%s)
$TK calibrate --devices all -q > "$RUN/calibrate.txt" 2>&1
rc=$?
echo ">> calibrate --devices all: $(( $(date +%s) - start )) s (exit $rc)"
grep -E "bandwidth|GPU|H200" "$RUN/calibrate.txt" | head -8
calibrated=$XDG_CACHE_HOME/tkbench/calibration

# A fresh cache (cold compile cache, empty tuning cache) holding the calibrations.
fresh_cache() {
  local dir; dir=$(mktemp -d)
  mkdir -p "$dir/tkbench" && cp -r "$calibrated" "$dir/tkbench/"
  echo "$dir"
}

shapes=4096x8192,16384x8192,16384x4096,4096x16384
strategy=${STRATEGY:-random}

# tune LABEL DEVICES: one cold tune of every shape; evaluations/s from the document.
tune() {
  local label=$1 devices=$2 start end rc
  start=$(date +%s.%N)
  XDG_CACHE_HOME=$(fresh_cache) timeout "${TUNE_TIMEOUT:-150}" $TK tune rmsnorm --shape "$shapes" --dtype bf16 \
    --strategy "$strategy" --budget 120 --seed 7 --devices "$devices" -o "$RUN/scaling-$label.json" -v > "$RUN/scaling-$label.txt" 2>&1
  rc=$?
  end=$(date +%s.%N)
  python3 - "$RUN/scaling-$label.json" "$start" "$end" "$label" "$rc" > "$RUN/rate-$label.txt" <<'PY'
import json, sys
# Configs the search evaluated (each shape's best measured again on the other GPUs is left out, so both runs count alike).
d = json.load(open(sys.argv[1])); n = len({(r["problem"]["shape"], json.dumps(r["config"])) for r in d["results"]})
wall = float(sys.argv[3]) - float(sys.argv[2])
print(f"{n} {wall:.2f} {n / wall:.2f} {sys.argv[5]} {len(d['results']) - n}")
PY
  read -r n wall rate code rechecks < "$RUN/rate-$label.txt"
  echo ">> $label (--devices $devices): $n evaluations in $wall s = $rate evaluations/s (exit $code; + $rechecks rechecks of a best on another GPU)"
  grep -E "GPUs? busy|^time:|warning" "$RUN/scaling-$label.txt" | head -6
}

if [[ " $phases " == *" scaling "* ]]; then
  echo ">> shapes: $shapes, $strategy, 120 configs a shape, cold compile cache"
  tune one 0
  tune all all
  python3 - "$RUN" <<'PY'
import json, sys
run = sys.argv[1]
def rate(label):
    n, wall, r, rc, rechecks = open(f"{run}/rate-{label}.txt").read().split()
    return float(r)
def best(label):
    out = {}
    for r in json.load(open(f"{run}/scaling-{label}.json"))["results"]:
        if r["status"] != "ok": continue
        s, t = r["problem"]["shape"], r["measurement"]["timing"]["median_us"]
        if s not in out or t < out[s][0]:
            out[s] = (t, ",".join(f"{k}={v}" for k, v in r["config"].items()), r.get("gpu", "-"))
    return out
one, alls = rate("one"), rate("all")
print(f">> evaluations/s: one GPU {one:.1f}, all GPUs {alls:.1f}: {alls / one:.2f}x (goal >= 1.9x on 2 GPUs, >= 3.6x on 4)")
b1, b2 = best("one"), best("all")
print(f"{'shape':<12} {'one GPU us':>10} {'all GPUs us':>11} {'diff':>7}  same config  agree within 1%")
agree = 0
for s in b1:
    t1, c1, _ = b1[s]; t2, c2, g = b2.get(s, (float("nan"), "", ""))
    ok = c1 == c2 or abs(t2 / t1 - 1) <= 0.01
    agree += ok
    print(f"{s:<12} {t1:>10.2f} {t2:>11.2f} {100 * (t2 / t1 - 1):>+6.2f}%  {'yes' if c1 == c2 else 'no ':<11}  {'yes' if ok else 'NO'}   (all: on {g})")
print(f">> winners agree within 1% at {agree} of {len(b1)} shapes")
PY
fi

if [[ " $phases " == *" shards "* ]]; then
  search="tune rmsnorm_basic --shape 4096x8192 --dtype bf16 --strategy exhaustive --force"
  cache=$(fresh_cache)
  start=$(date +%s)
  XDG_CACHE_HOME=$cache $TK $search --device 0 -q -o "$RUN/shard-whole.json" > "$RUN/shard-whole.txt" 2>&1
  rc=$?
  echo ">> unsharded on GPU 0: $(( $(date +%s) - start )) s (exit $rc)"
  start=$(date +%s)
  second=$(( gpus > 1 ? 1 : 0 ))
  XDG_CACHE_HOME=$cache $TK $search --device 0 --shard 0/2 -q -o "$RUN/shard-0.json" > "$RUN/shard-0.txt" 2>&1 &
  p=$!
  XDG_CACHE_HOME=$cache $TK $search --device $second --shard 1/2 -q -o "$RUN/shard-1.json" > "$RUN/shard-1.txt" 2>&1
  b=$?; wait $p; a=$?
  echo ">> --shard 0/2 on GPU 0 and --shard 1/2 on GPU $second at once: $(( $(date +%s) - start )) s (exit $a, $b)"
  XDG_CACHE_HOME=$cache $TK merge "$RUN/shard-0.json" "$RUN/shard-1.json" -o "$RUN/shard-merged.json" | tail -n 3
  python3 - "$RUN" <<'PY'
import json, statistics, sys
run = sys.argv[1]
def load(name):
    return {json.dumps(r["config"]): r for r in json.load(open(f"{run}/{name}.json"))["results"]}
whole, merged = load("shard-whole"), load("shard-merged")
same = set(whole) == set(merged)
statuses = all(whole[c]["status"] == merged[c]["status"] for c in whole if c in merged)
def t(r): return r["measurement"]["timing"]["median_us"] if r["status"] == "ok" else None
diffs = [t(merged[c]) / t(whole[c]) - 1 for c in whole if c in merged and t(whole[c]) and t(merged[c])]
bw = min((t(r), c) for c, r in whole.items() if t(r)); bm = min((t(r), c) for c, r in merged.items() if t(r))
print(f">> shards merged: {len(merged)} configs against {len(whole)} unsharded; same configs: {same}; same statuses: {statuses}")
print(f">> per-config time, merged/unsharded: median {100 * statistics.median(diffs):+.2f}%, "
      f"worst {100 * max(diffs, key=abs):+.2f}% over {len(diffs)} configs")
print(f">> winner: unsharded {bw[0]:.2f} us {bw[1]}, merged {bm[0]:.2f} us {bm[1]}: "
      f"{'same config' if bw[1] == bm[1] else 'other config'}, {100 * (bm[0] / bw[0] - 1):+.2f}% "
      f"({'within' if abs(bm[0] / bw[0] - 1) <= 0.01 else 'NOT within'} 1%)")
PY
fi

if [[ " $phases " == *" tests "* ]]; then
  .carry/tkbench_tests "[multigpu]" > "$RUN/multigpu_tests.txt" 2>&1
  grep -B3 -A12 "FAILED" "$RUN/multigpu_tests.txt" | head -60
  tail -n 2 "$RUN/multigpu_tests.txt"
fi
