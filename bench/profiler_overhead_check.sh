#!/usr/bin/env bash
# bench/profiler_overhead_check.sh: do counters change the time tkbench
# reports? For a few configs, from decode (graph-timed, ~2 us) to prefill,
# the median of `bench` (no CUPTI) beside that of `profile` (counters in one
# worker process, the time from a fresh one), REPS times (default 2), on one
# GPU. OLD=path times an older binary's `profile` too (it timed in the process
# that had counted).
# Run from the repo root with the stripped build in .carry/ (bench/README.md).
set -u
source bench/device_env.sh
median() {
  python3 -c 'import json,sys; t=json.load(sys.stdin)["results"][0]["measurement"]["timing"]; print("%.3f" % t["median_us"])' 2>/dev/null || echo "-"
}
while read -r template shape config; do
  line="$template $shape:"
  for i in $(seq ${REPS:-2}); do
    line+=" bench $($TK --json bench $template --shape $shape --dtype bf16 --config $config --max-time 0.5 2>/dev/null | median)"
    line+=" profile $($TK --json profile $template --shape $shape --dtype bf16 --config $config --max-time 0.5 2>/dev/null | median)"
    [ -n "${OLD:-}" ] && line+=" old-profile $($OLD --json profile $template --shape $shape --dtype bf16 --config $config --max-time 0.5 2>/dev/null | median)"
  done
  echo "$line us"
done <<'EOF'
rmsnorm 1x8192 VEC=8,THREADS=512,ROWS=1,ITEMS=2,HINT=2,WLOAD=1,CLUSTER=1,ROW_SMEM=0,ROW_GROUPS=1
rmsnorm 32x8192 VEC=8,THREADS=256,ROWS=1,ITEMS=4,HINT=1,WLOAD=1,CLUSTER=1,ROW_SMEM=0,ROW_GROUPS=1
rmsnorm 4096x2048 VEC=8,THREADS=128,ROWS=1,ITEMS=2,HINT=1,WLOAD=1,CLUSTER=1,ROW_SMEM=0,ROW_GROUPS=1
rmsnorm 16384x8192 VEC=8,THREADS=128,ROWS=1,ITEMS=8,HINT=0,WLOAD=1,CLUSTER=1,ROW_SMEM=0,ROW_GROUPS=1
copy 8 VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=0
EOF
