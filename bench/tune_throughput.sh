#!/usr/bin/env bash
# Issue 15 on the GPU machine, from the repo root with a stripped build in
# .carry/ (bench/README.md). Phases, each in one device call or together:
#
#   throughput  rmsnorm at the prefill and large-hidden shapes of
#               bench/rmsnorm/shapes.toml, bayes, 120 configs a shape, cold
#               compile cache: configs/s, GPU busy and where the wall time
#               went (tune -v), for $BEFORE (an older build, if given) and
#               this build twice; then each shape's winner timed again
#   resume      a tune killed with SIGKILL mid-way, then --resume: the
#               document ends with exactly the budget, no config twice
#   spaces      exhaustive tunes recorded for bench/search_quality
#               (bench/spaces/): a decode shape, N = 65536, the full
#               4096x8192 space, and a non-RMSNorm template
#   tests       the [gpu] tests
#   main        `bash setup.sh --main-job` (what `bash setup.sh` runs after building) with the carried build
#   tour        README's GPU tour as written (tests/readme_tour.sh --tour gpu)
#
#   bash bench/tune_throughput.sh throughput resume     BEFORE=.carry/before-tkbench to compare
#   AFTER_RUNS="after after2" (default): cold tunes of this build, for the repeat spread
# Everything lands in $RUN, packed into $OUT/tune_throughput.tgz.
set -u
source bench/device_env.sh
trap 'pack_run tune_throughput' EXIT
phases=${*:-throughput resume}
$TK calibrate -q > /dev/null && $TK devices
calibrated=$XDG_CACHE_HOME/tkbench/calibration

# A fresh cache (cold compile cache, empty tuning cache) holding the calibration.
fresh_cache() {
  local dir; dir=$(mktemp -d)
  mkdir -p "$dir/tkbench" && cp -r "$calibrated" "$dir/tkbench/"
  echo "$dir"
}

shapes=$(python3 - <<'PY'
import tomllib
t = tomllib.load(open("bench/rmsnorm/shapes.toml", "rb"))
print(",".join(f"{m}x{n}" for c in ("prefill", "large_hidden") for m in t[c]["M"] for n in t[c]["N"]))
PY
)

# tune LABEL BINARY: one cold tune of every shape; its stdout/stderr and document in $RUN.
tune() {
  local label=$1 bin=$2 start end
  start=$(date +%s.%N)
  XDG_CACHE_HOME=$(fresh_cache) timeout "${TUNE_TIMEOUT:-240}" $bin tune rmsnorm --shape "$shapes" --dtype bf16 --strategy bayes --budget 120 \
    -o "$RUN/throughput-$label.json" -v > "$RUN/throughput-$label.txt" 2>&1
  local rc=$?
  end=$(date +%s.%N)
  python3 - "$RUN/throughput-$label.json" "$start" "$end" "$label" "$rc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); n = len(d["results"]); wall = float(sys.argv[3]) - float(sys.argv[2])
print(f">> {sys.argv[4]}: {n} configs in {wall:.1f} s = {n / wall:.1f} configs/s (exit {sys.argv[5]})")
PY
  grep -E "^GPU busy|^time:" "$RUN/throughput-$label.txt"
}

if [[ " $phases " == *" throughput "* ]]; then
  echo ">> shapes: $shapes"
  [ -n "${BEFORE:-}" ] && tune before "$PWD/$BEFORE"
  for label in ${AFTER_RUNS:-after after2}; do tune "$label" "$TK"; done
  # Each shape's best, per run, and each winner timed again with bench (warm caches).
  python3 - "$RUN" <<'PY'
import json, os, sys
run = sys.argv[1]
def best(label):
    f = f"{run}/throughput-{label}.json"
    if not os.path.exists(f): return {}
    out = {}
    for r in json.load(open(f))["results"]:
        if r["status"] != "ok": continue
        s, t = r["problem"]["shape"], r["measurement"]["timing"]["median_us"]
        if s not in out or t < out[s][0]:
            out[s] = (t, ",".join(f"{k}={v}" for k, v in r["config"].items()))
    return out
runs = {l: best(l) for l in ("before", "after", "after2")}
print(f"{'shape':<12} {'before us':>10} {'after us':>10} {'after2 us':>10} {'after/before':>12} {'after2/after':>12}")
for s in runs["after"]:
    b, a, a2 = (runs[l].get(s, (float("nan"), ""))[0] for l in ("before", "after", "after2"))
    print(f"{s:<12} {b:>10.2f} {a:>10.2f} {a2:>10.2f} {a / b:>12.3f} {a2 / a:>12.3f}")
with open(f"{run}/winners.txt", "w") as f:
    for s, (t, c) in runs["after"].items(): f.write(f"{s} {c} {t}\n")
PY
  echo ">> each winner of 'after' timed again by bench"
  while read -r shape config tuned; do
    $TK bench rmsnorm --shape "$shape" --dtype bf16 --config "$config" --json > "$RUN/rebench-$shape.json" 2> /dev/null
    python3 - "$RUN/rebench-$shape.json" "$shape" "$tuned" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["results"][0]["measurement"]["timing"]["median_us"]
print(f"{sys.argv[2]:<12} tuned {float(sys.argv[3]):9.2f} us, bench again {t:9.2f} us ({(t / float(sys.argv[3]) - 1) * 100:+.2f}%)")
PY
  done < "$RUN/winners.txt"
fi

if [[ " $phases " == *" resume "* ]]; then
  doc=$RUN/killed.json
  XDG_CACHE_HOME=$(fresh_cache) $TK tune rmsnorm --shape 16384x8192 --strategy bayes --budget 120 -o "$doc" -q > /dev/null 2>&1 &
  pid=$!
  for i in $(seq 1 1200); do  # kill once 40 results are journaled
    n=$(grep -c '"type":"result"' "$doc.journal" 2> /dev/null); n=${n:-0}
    [ "$n" -ge 40 ] && break
    sleep 0.05
  done
  kill -9 $pid; wait $pid 2> /dev/null
  kept=$(grep -c '"type":"result"' "$doc.journal")
  $TK tune rmsnorm --shape 16384x8192 --strategy bayes --budget 120 --resume "$doc" -q
  python3 - "$doc" "$kept" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); cfgs = [json.dumps(r["config"], sort_keys=True) for r in d["results"]]
print(f">> SIGKILL + --resume: {len(cfgs)} results for --budget 120, {len(set(cfgs))} distinct, {sys.argv[2]} kept from before the kill")
PY
fi

if [[ " $phases " == *" spaces "* ]]; then
  record() {  # record TEMPLATE SHAPE NAME
    local start=$(date +%s)
    XDG_CACHE_HOME=$(fresh_cache) $TK tune "$1" --shape "$2" --dtype bf16 --strategy exhaustive --budget 100000 \
      -o "$RUN/space-h200-$1-$2-bf16.json" -q > /dev/null 2>&1
    echo ">> space $1 $2: $(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['results']))" "$RUN/space-h200-$1-$2-bf16.json") configs, $(( $(date +%s) - start )) s (exit $?)"
  }
  record rmsnorm 1x8192
  record rmsnorm 8192x65536
  record rmsnorm 4096x8192
  record copy 2097152
fi

if [[ " $phases " == *" main "* ]]; then
  mkdir -p build && cp "$TK" build/tkbench && cp -r .carry/lib build/
  start=$(date +%s)
  XDG_CACHE_HOME=$(fresh_cache) bash setup.sh --main-job 2>&1 | tee "$RUN/setup-main-job.txt" | tail -n 25
  rc=${PIPESTATUS[0]}
  echo ">> setup.sh --main-job: $(( $(date +%s) - start )) s (exit $rc)"
fi

if [[ " $phases " == *" tour "* ]]; then
  start=$(date +%s)
  bash tests/readme_tour.sh --tour gpu "$TK" 2>&1 | tee "$RUN/readme-gpu-tour.txt" | grep -E "^(ok|FAIL|readme_tour)"
  echo ">> README GPU tour: $(( $(date +%s) - start )) s"
fi

if [[ " $phases " == *" tests "* ]]; then
  .carry/tkbench_tests "[gpu]" > "$RUN/gpu_tests.txt" 2>&1
  grep -B3 -A12 "FAILED" "$RUN/gpu_tests.txt" | head -60
  tail -n 2 "$RUN/gpu_tests.txt"
fi
