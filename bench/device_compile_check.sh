#!/usr/bin/env bash
# Runs on the GPU machine (device tool), from the repo root, with a stripped
# build carried in .carry/: build/tkbench, build/lib/ and (optionally)
# build/tests/tkbench_tests, stripped. Checks that tkbench starts
# there, lists the GPU, and that `compile --on-device` agrees with the driver
# (cudaFuncGetAttributes registers, cudaOccupancyMaxActiveBlocksPerMultiprocessor
# blocks/SM) for every config of every built-in template and dtype.
set -u
source bench/device_env.sh
status=0
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem --format=csv
$TK --version
$TK devices || status=1
$TK devices --json > "$OUT/devices.json"
for dtype in bf16 fp16 fp32; do
  for shape in 4096x8192 16384x8192 3x5000; do
    $TK compile rmsnorm_basic --shape $shape --dtype $dtype --on-device --json > "$OUT/rmsnorm_${shape}_${dtype}.json" || status=1
    $TK compile rmsnorm_basic --shape $shape --dtype $dtype --on-device -q | tail -n 0
  done
  $TK compile copy --shape 268435456 --dtype $dtype --on-device --json > "$OUT/copy_${dtype}.json" || status=1
done
# One human-readable table for the log.
$TK compile rmsnorm_basic --shape 4096x8192 --dtype bf16 --on-device
python3 - "$OUT" <<'PY'
import json, glob, sys
total = agree = 0
for f in sorted(glob.glob(sys.argv[1] + "/*_*.json")):
    if "devices" in f: continue
    d = json.load(open(f))
    rows = [r for r in d["results"] if r.get("driver")]
    ok = sum(1 for r in rows if r["driver"].get("agrees"))
    total += len(rows); agree += ok
    print(f"{f.split('/')[-1]:40s} {ok}/{len(rows)} configs agree with the driver")
print(f"TOTAL {agree}/{total} configs agree (registers and blocks/SM)")
PY
# The [gpu] tests of the suite, where the test binary was carried too.
if [ -x .carry/tkbench_tests ]; then
  .carry/tkbench_tests "[gpu]" --success --reporter compact | tail -n 3 || status=1
fi
exit $status
