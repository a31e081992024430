#!/usr/bin/env bash
# Gate check (issue 8), for the device tool, from the repo root, with a
# stripped build in .carry/ (bench/README.md). Two `gate --spec` runs of the
# same build must pass; rmsnorm_basic with VEC=1 forced must fail with exit 1; the
# JUnit XML must parse. Then six more runs of the same build, every pair of the
# eight gated against each other: the false-positive rate on real GPU noise.
# About a minute of GPU time on an H100/H200 (a fresh cache: calibration and
# one exhaustive tune of two shapes included).
set -u
source bench/device_env.sh
trap 'pack_run gate_check' EXIT
status=0
expect() {  # expected-exit actual-exit what
  if [ "$2" -eq "$1" ]; then echo ">> $3: exit $2, as expected"
  else echo ">> UNEXPECTED: $3: exit $2, expected $1"; status=1; fi
}
timed() {  # what command...: runs it, prints its wall time, keeps its exit code in $rc
  local what=$1; shift
  local start=$(date +%s.%N)
  "$@"; rc=$?
  awk -v a=$start -v b=$(date +%s.%N) -v w="$what" 'BEGIN { printf ">> %s: %.1f s wall\n", w, b - a }'
}

$TK devices || { echo ">> no GPU here: gate_check needs one"; exit 3; }
timed "calibration" $TK calibrate -q > /dev/null

echo; echo "== run 1: nothing cached: tune, then measure the best config fresh"
timed "run 1" $TK gate --spec bench/gate/rmsnorm.toml -o "$RUN/run1.json" --no-color
expect 0 $rc "run 1 (floors only)"

echo; echo "== run 2: the same build, gated against run 1 (configs from the tuning cache)"
timed "run 2" $TK gate --spec bench/gate/rmsnorm.toml --baseline "$RUN/run1.json" -o "$RUN/run2.json" \
  --junit "$RUN/junit.xml" --markdown "$RUN/summary.md" --no-color
expect 0 $rc "run 2 vs run 1"

echo; echo "== slowed: VEC=1 forced, gated against run 1"
timed "slowed" $TK gate --spec bench/gate/rmsnorm_slowed.toml --baseline "$RUN/run1.json" -o "$RUN/slowed.json" \
  --junit "$RUN/slowed-junit.xml" --markdown "$RUN/slowed-summary.md" --no-color
expect 1 $rc "slowed vs run 1"
echo; echo "-- slowed-summary.md:"; cat "$RUN/slowed-summary.md"

echo; echo "== JUnit XML"
for f in "$RUN/junit.xml" "$RUN/slowed-junit.xml"; do
  python3 - "$f" <<'PY' || status=1
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
cases = d.getElementsByTagName("testcase")
fails = d.getElementsByTagName("failure")
print(f">> {sys.argv[1]}: valid XML, {len(cases)} test cases, {len(fails)} failures")
for f in fails:
    print("   failure:", f.getAttribute("message"))
PY
done

echo; echo "== false positives: runs 3-8 of the same build, all 28 pairs of runs 1-8 gated"
start=$(date +%s.%N)
for i in 3 4 5 6 7 8; do $TK gate --spec bench/gate/rmsnorm.toml -o "$RUN/run$i.json" -q > /dev/null || status=1; done
awk -v a=$start -v b=$(date +%s.%N) 'BEGIN { printf ">> six more runs: %.1f s wall\n", b - a }'
python3 - "$TK" "$RUN" <<'PY'
import itertools, json, subprocess, sys
tk, out = sys.argv[1], sys.argv[2]
runs = [f"{out}/run{i}.json" for i in range(1, 9)]
for threshold in ["5%", "2%", "1%", "0%"]:
    failed = entries = noisy = 0
    worst = 0.0
    for a, b in itertools.combinations(runs, 2):
        p = subprocess.run([tk, "gate", "--baseline", a, "--current", b, "--max-regression", threshold, "--json"],
                           capture_output=True, text=True)
        v = json.loads(p.stdout)
        for e in v["entries"]:
            entries += 1
            failed += e["failed"]
            noisy += e["verdict"] == "noisy"
            if e["slowdown"]:
                worst = max(worst, abs(e["slowdown"]["ratio"] - 1))
    print(f">> --max-regression {threshold:>3}: {failed}/{entries} entries failed ({100 * failed / entries:.1f}%), "
          f"{noisy} noisy; largest run-to-run change {100 * worst:.2f}%")
for r in runs:
    d = json.load(open(r))
    timed = [x for x in d["results"] if x["status"] == "ok"]
    print("  ", r.split("/")[-1], ", ".join(f'{x["problem"]["shape"]} {x["measurement"]["timing"]["median_us"]:.2f} us '
                                            f'({x["measurement"]["timing"]["samples"]} samples)' for x in timed))
PY

if [ -x .carry/tkbench_tests ]; then
  echo; echo "== [gpu][gate] tests"
  .carry/tkbench_tests "[gpu][gate]" > "$RUN/gpu_gate_tests.txt" 2>&1 || status=1
  grep -B3 -A12 "FAILED" "$RUN/gpu_gate_tests.txt" | head -40
  tail -n 2 "$RUN/gpu_gate_tests.txt"
fi

echo; echo "== gate_check: $([ $status -eq 0 ] && echo PASSED || echo FAILED)"
exit $status
