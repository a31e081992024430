#!/usr/bin/env bash
# CUPTI counters check (issue 4), for the device tool, from the repo root, with
# a stripped build in .carry/. For copy, rmsnorm_basic (16384x8192 bf16) and axpy
# (docs/examples), compares tkbench profile's DRAM read/write bytes, DRAM
# throughput % and achieved occupancy with ncu's for the same kernel, measures
# what profiling costs beyond timing, shows tkbench under ncu degrading to
# timing only, and runs the [gpu] tests.
set -u
source bench/device_env.sh
METRICS=dram__bytes_read.sum,dram__bytes_write.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__warps_active.avg.pct_of_peak_sustained_active
$TK calibrate -q > /dev/null

run() {  # name kernel-regex args...
  local name=$1 regex=$2; shift 2
  $TK bench "$@" --json > /dev/null                       # warm the kernel cache
  local t0=$(date +%s.%N); $TK bench "$@" --json > "$OUT/${name}_bench.json"; local t1=$(date +%s.%N)
  $TK profile "$@" --json > "$OUT/${name}_profile.json"; local t2=$(date +%s.%N)
  awk -v n=$name -v a=$t0 -v b=$t1 -v c=$t2 'BEGIN { printf "%s wall: bench %.2f s, profile %.2f s, profiling cost %.2f s\n", n, b - a, c - b, (c - b) - (b - a) }' | tee -a "$OUT/walls.txt"
  ncu --clock-control none --metrics $METRICS -k regex:"$regex" -c 1 --csv $TK bench "$@" --max-time 0.05 \
      > "$OUT/${name}_ncu.csv" 2> "$OUT/${name}_ncu.err" || tail -3 "$OUT/${name}_ncu.err"
}
run copy '^copy$' copy --shape 134217728 --config VEC_BYTES=16,THREADS=256,UNROLL=4,STREAMING=false
run rmsnorm '^rmsnorm$' rmsnorm_basic --shape 16384x8192 --config VEC=8,THREADS=256,ROWS=1
run axpy '^axpy$' axpy --template-dir docs/examples --shape 134217728
run copy4g '^copy$' copy --shape 2147483648 --config VEC_BYTES=16,THREADS=256,UNROLL=4,STREAMING=false

$TK profile rmsnorm_basic --shape 16384x8192 --config VEC=8,THREADS=256,ROWS=1
echo "--- tkbench under ncu (a second profiler): counters must degrade to a warning"
ncu --clock-control none --metrics gpu__time_duration.sum -c 1 $TK profile copy --shape 134217728 --max-time 0.05 2>&1 | grep -E "counters|time  |warning" | head -5

.carry/tkbench_tests "[gpu]" > "$OUT/gpu_tests.txt" 2>&1
grep -B3 -A12 "FAILED" "$OUT/gpu_tests.txt" | head -60
tail -n 3 "$OUT/gpu_tests.txt"

python3 - "$OUT" <<'PY'
import json, csv, sys
out = sys.argv[1]
names = ["dram__bytes_read.sum", "dram__bytes_write.sum", "dram__throughput.avg.pct_of_peak_sustained_elapsed", "sm__warps_active.avg.pct_of_peak_sustained_active"]
def ncu(name):
    rows = [r for r in csv.reader(open(f"{out}/{name}_ncu.csv")) if len(r) > 5]
    h = rows[0]; mi, vi, ui = h.index("Metric Name"), h.index("Metric Value"), h.index("Metric Unit")
    vals = {}
    for r in rows[1:]:
        v = float(r[vi].replace(",", "")); u = r[ui]
        scale = {"byte": 1, "Kbyte": 1e3, "Mbyte": 1e6, "Gbyte": 1e9, "KB": 1e3, "MB": 1e6, "GB": 1e9}.get(u, 1)
        vals.setdefault(r[mi], v * scale)
    return vals
for name in ["copy", "rmsnorm", "axpy", "copy4g"]:
    p = json.load(open(f"{out}/{name}_profile.json"))["results"][0]
    c = p["measurement"]["counters"]
    if c is None:
        print(name, "no counters:", p["measurement"].get("counters_unavailable")); continue
    n = ncu(name); f = p["figures"]
    cells = []
    for m in names:
        t = c["values"][m]; v = n.get(m)
        cells.append(f"{m.split('.')[0]} tk {t:.4g} ncu {v:.4g} ({(t/v-1)*100:+.2f}%)" if v else f"{m}: ncu missing")
    print(f"{name}: ideal {f['ideal_bytes']:.4g} B, DRAM efficiency {f['dram_efficiency']*100:.1f}%, occupancy achieved {f['achieved_occupancy']*100:.1f}% / theoretical {f['theoretical_occupancy']*100:.1f}%, counters took {c['overhead_ms']:.0f} ms ({c['passes']} pass)")
    for cell in cells: print("   ", cell)
print(open(f"{out}/walls.txt").read())
PY
