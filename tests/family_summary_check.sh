#!/usr/bin/env bash
# family.sh's CPU side (bench/rmsnorm/family.sh runs on a GPU machine): family_summary.py
# on a committed run (bench/results/2026-12-08a-h100/call3, the quantized norms at every
# shape on an H100) prints the table committed with it, then the four decode misses
# with their shortfalls (not profiled in that run), and --misses-out names their
# configs for profile_misses; the scripts parse.
#   tests/family_summary_check.sh [REPOSITORY_ROOT]
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
bench=$root/bench/rmsnorm
run=$root/bench/results/2026-12-08a-h100/call3
status=0
fail() { echo "family_summary_check: $*" >&2; status=1; }

misses=$(mktemp)
out=$(python3 "$bench/family_summary.py" "$run" --misses-out "$misses") || fail "family_summary.py failed"
# The table as committed with the run (written before the counters section existed).
diff <(head -n "$(wc -l < "$run/summary.md")" <<< "$out") "$run/summary.md" > /dev/null \
  || fail "the table differs from $run/summary.md"
grep -q "| add_rmsnorm_fp8 | 32x8192 | ≤2.5 µs (graph) | +0.294 µs | .*: not profiled |" <<< "$out" \
  || fail "no counters row for add_rmsnorm_fp8 32x8192 with its shortfall"
[ "$(wc -l < "$misses")" -eq 4 ] || fail "--misses-out wrote $(wc -l < "$misses") lines, not the 4 decode misses"
grep -qx "add_rmsnorm_mxfp8 32x8192 bf16 VEC=8,THREADS=1024,ROWS=1,ITEMS=1,WLOAD=1,PREFETCH=0,EDGES=0,HINT=1" "$misses" \
  || fail "--misses-out lacks add_rmsnorm_mxfp8 32x8192's best config"
rm -f "$misses"
for f in family_summary.py miss_counters.py; do
  python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$bench/$f" || fail "$f does not parse"
done
for f in "$bench/family.sh" "$root/bench/device_env.sh"; do bash -n "$f" || fail "$f: bash -n"; done
[ "$status" -eq 0 ] && echo "family_summary_check: table as committed, misses with their shortfalls and configs"
exit "$status"
