#!/bin/bash
# Without Slurm: N parts of one search run at once, then one merge.
#   bash docs/examples/cluster/tune_loop.sh                        this host: one part per GPU
#   HOSTS="node1 node2" bash docs/examples/cluster/tune_loop.sh    one part per host over ssh (RESULTS on a shared folder)
set -euo pipefail
TKBENCH=${TKBENCH:-tkbench}
RESULTS=${RESULTS:-$PWD/tkbench-results/parts}
SEARCH=${SEARCH:-rmsnorm --shape 16384x8192 --dtype bf16 --strategy random --budget 800}
mkdir -p "$RESULTS"
pids=()
if [ -n "${HOSTS:-}" ]; then
  read -r -a hosts <<< "$HOSTS"
  n=${#hosts[@]}
  for i in "${!hosts[@]}"; do
    ssh "${hosts[$i]}" "$TKBENCH tune $SEARCH --devices all --shard $i/$n -q -o $RESULTS/part-$i.json" &
    pids+=($!)
  done
else
  n=$($TKBENCH devices --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
  for i in $(seq 0 $((n - 1))); do
    $TKBENCH tune $SEARCH --device "$i" --shard "$i/$n" -q -o "$RESULTS/part-$i.json" &
    pids+=($!)
  done
fi
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
# A failed part can be run again with --resume RESULTS/part-i.json before merging.
[ "$failed" = 0 ] || { echo "a part failed: see above; rerun it, then merge" >&2; exit 1; }
$TKBENCH merge "$RESULTS"/part-*.json -o "$RESULTS/all.json"
