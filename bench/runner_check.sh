#!/usr/bin/env bash
# GPU runner check (issue 3), for the device tool, from the repo root, with a
# stripped build in .carry/ (tkbench, tkbench_tests, lib/). In one run:
#   calibrate, PyTorch's b.copy_(a) on 1 GiB, bench copy and rmsnorm_basic at
#   16384x8192 bf16 twice, ncu's gpu__time_duration for the same kernels,
#   a 1x8192 rmsnorm_basic (graph-timed), the [gpu] tests, and the misbehaving
#   fixtures through the CLI. Prints a summary table last.
set -u
source bench/device_env.sh
COPY_CFG=VEC_BYTES=16,THREADS=256,UNROLL=4,STREAMING=false
RMS_CFG=VEC=8,THREADS=256,ROWS=1

$TK devices
$TK calibrate --force 2>&1 | tee "$OUT/calibrate.txt"
$TK calibrate --json > "$OUT/calibration.json"

python3 - > "$OUT/torch_copy.txt" <<'PY'
import torch
a = torch.randn(1 << 29, dtype=torch.bfloat16, device="cuda"); b = torch.empty_like(a)
for _ in range(5): b.copy_(a)
ts = []
for _ in range(50):
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record(); b.copy_(a); e.record(); e.synchronize(); ts.append(s.elapsed_time(e))
ts.sort(); med = ts[len(ts)//2] * 1e-3
print(f"torch_copy_TBps {2 * a.numel() * 2 / med / 1e12:.4f} median_ms {med*1e3:.4f}")
PY
cat "$OUT/torch_copy.txt"

for run in 1 2; do
  $TK bench copy --shape 134217728 --config $COPY_CFG --json > "$OUT/copy_$run.json"
  $TK bench rmsnorm_basic --shape 16384x8192 --config $RMS_CFG --json > "$OUT/rmsnorm_$run.json"
done
$TK bench rmsnorm_basic --shape 16384x8192 --config $RMS_CFG
$TK bench rmsnorm_basic --shape 1x8192 --config VEC=8,THREADS=128,ROWS=1 | tee "$OUT/decode.txt"
$TK bench rmsnorm_basic --shape 1x8192 --config VEC=8,THREADS=128,ROWS=1 --json > "$OUT/decode.json"

# ncu: every launch of the kernel under test, cold caches (ncu's default), clocks left alone.
for k in copy rmsnorm; do
  if [ $k = copy ]; then args="copy --shape 134217728 --config $COPY_CFG"; else args="rmsnorm_basic --shape 16384x8192 --config $RMS_CFG"; fi
  ncu --clock-control none --metrics gpu__time_duration.sum -k regex:"^$k\$" -c 25 --csv \
      $TK bench $args --max-time 0.2 > "$OUT/ncu_$k.csv" 2> "$OUT/ncu_$k.err" || echo "ncu $k failed: $(tail -3 $OUT/ncu_$k.err)"
done

# The misbehaving fixtures through the CLI: each bad mode is reported, exit 1.
for mode in 0 1 2 3 4; do
  $TK bench misbehaving --template-dir tests/fixtures/misbehaving --shape 1048576 --config MODE=$mode --kernel-timeout 3 > "$OUT/mis_$mode.txt" 2>&1
  echo "misbehaving MODE=$mode exit $? : $(grep -E 'status|correct' $OUT/mis_$mode.txt | head -1 | cut -c1-150)"
done

# A shape larger than device memory: exit 2 with the numbers. A template without a reference: UNVERIFIED.
$TK bench copy --shape 200000000000 --config $COPY_CFG; echo "oversized shape: exit $?"
$TK bench partly_broken --template-dir tests/fixtures/partly_broken --shape 1000000 --config MODE=1; echo "no reference: exit $?"
$TK devices

.carry/tkbench_tests "[gpu]" > "$OUT/gpu_tests.txt" 2>&1
grep -B3 -A12 "FAILED" "$OUT/gpu_tests.txt" | head -60
tail -n 3 "$OUT/gpu_tests.txt"

python3 - "$OUT" <<'PY'
import json, sys, csv, statistics
out = sys.argv[1]
cal = json.load(open(f"{out}/calibration.json"))["calibration"]
torch_bw = float(open(f"{out}/torch_copy.txt").read().split()[1]) * 1e12
print(f"calibrated {cal['bandwidth']/1e12:.3f} TB/s ({cal['source']}); copy kernel {cal['copy_kernel']['bandwidth']/1e12:.3f} TB/s [{cal['copy_kernel']['config']}]; driver copy {cal['driver_copy']['bandwidth']/1e12:.3f} TB/s")
print(f"torch b.copy_(a) 1 GiB: {torch_bw/1e12:.3f} TB/s -> calibrated / torch = {cal['bandwidth']/torch_bw*100:.1f}%")
def med(name, run):
    d = json.load(open(f"{out}/{name}_{run}.json"))["results"][0]
    return d["measurement"]["timing"]["median_us"], d
for k in ["copy", "rmsnorm"]:
    m1, d = med(k, 1); m2, _ = med(k, 2)
    try:
        rows = [r for r in csv.reader(open(f"{out}/ncu_{k}.csv")) if len(r) > 5]
        hdr = rows[0]; vi = hdr.index("Metric Value"); ui = hdr.index("Metric Unit")
        vals = []
        for r in rows[1:]:
            v = float(r[vi].replace(",", "")); u = r[ui]
            vals.append(v / 1000 if u in ("nsecond", "ns") else v if u in ("usecond", "us") else v * 1000)
        nm = statistics.median(vals); ncu = f"ncu median {nm:.2f} us over {len(vals)} launches -> tkbench/ncu = {m1/nm*100:.1f}%"
    except Exception as e:
        ncu = f"ncu: {e}"
    f = d["figures"]
    print(f"{k:8s} 16384x8192 bf16: run1 {m1:.2f} us, run2 {m2:.2f} us (diff {abs(m1-m2)/m1*100:.2f}%), {f['bandwidth']/1e12:.3f} TB/s = {f['pct_of_measured_bandwidth']:.1f}% of calibrated; {ncu}")
dec = json.load(open(f"{out}/decode.json"))["results"][0]["measurement"]["timing"]
print(f"rmsnorm 1x8192: {dec['median_us']:.2f} us, graph={dec['graph']} launches/sample={dec['launches_per_sample']} sets={dec['buffer_sets']}")
PY
