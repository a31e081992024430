#!/usr/bin/env bash
# The peers benchmark's CPU side (bench/rmsnorm/peers.sh runs on a GPU machine):
# peers_summary.py on a fabricated run (bench/rmsnorm/testdata/peers: a cut-off
# peers.jsonl, a wrong and a failing peer, QuACK missing, a shape tkbench loses)
# prints expected.md, and on a run on an H100 (testdata/peers-h100) compares QuACK's
# H200 anchors by % of a same-size copy; --misses-out names the config to profile where
# tkbench is slower, and the counters found for it (testdata/peers/counters) are shown;
# the Python parses and the scripts pass bash -n; the copies of ../shared's anchors
# table and shapes.toml agree with it where it exists.
#   tests/peers_summary_check.sh [REPOSITORY_ROOT]
set -uo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
bench=$root/bench/rmsnorm
status=0
fail() { echo "peers_summary_check: $*" >&2; status=1; }

diff -u "$bench/testdata/peers/expected.md" <(python3 "$bench/peers_summary.py" "$bench/testdata/peers") \
  || fail "the summary of testdata/peers differs from expected.md (regenerate it only if the change is meant)"
# A run on another card than the anchors' (an H100): QuACK's anchors compared by % of a same-size copy, not µs.
diff -u "$bench/testdata/peers-h100/expected.md" <(python3 "$bench/peers_summary.py" "$bench/testdata/peers-h100") \
  || fail "the summary of testdata/peers-h100 differs from expected.md (regenerate it only if the change is meant)"
# The configs peers.sh profiles where tkbench is slower (testdata/peers/counters holds one's counters).
misses=$(mktemp)
python3 "$bench/peers_summary.py" "$bench/testdata/peers" --misses-out "$misses" > /dev/null
[ "$(cat "$misses")" = "rmsnorm 32768x256 bf16 VEC=8,THREADS=256" ] || fail "--misses-out wrote: $(cat "$misses")"
rm -f "$misses"
for f in peers.py peers_summary.py torch_baseline.py; do
  python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$bench/$f" || fail "$f does not parse"
done
for f in peers.sh fetch_peers.sh; do bash -n "$bench/$f" || fail "$f: bash -n"; done

shared=$root/../shared
if [ -f "$shared/notes/anchors.md" ]; then
  table() { grep '^|' "$1" | sed -n '/^| M x N | tkbench/,/^$/p' | head -n 12; }
  diff <(table "$bench/anchors_peers.md") <(awk '/^## Same-run peers/{on=1; next} on&&/^## /{exit} on' "$shared/notes/anchors.md" | table /dev/stdin) \
    > /dev/null || fail "bench/rmsnorm/anchors_peers.md's table differs from $shared/notes/anchors.md's"
fi
if [ -f "$shared/bench/shapes.toml" ]; then
  diff <(grep -v '^#' "$bench/shapes.toml") <(grep -v '^#' "$shared/bench/shapes.toml") > /dev/null \
    || fail "bench/rmsnorm/shapes.toml differs from $shared/bench/shapes.toml"
fi
[ $status -eq 0 ] && echo "peers_summary_check: summary as expected, scripts parse, copies agree with ../shared"
exit $status
