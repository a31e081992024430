#!/usr/bin/env bash
# bench/gemm/baseline.sh: issue 17's library baseline and compute roof, in one
# device call (about 5 minutes), from the repo root with a stripped build in
# .carry/ (bench/README.md):
#   1. the [gpu] tests of every gemm path, the tensor-map and struct tests;
#   2. `calibrate`: the copy bandwidth and the bf16 tensor roof (cuBLAS at 8192^3);
#   3. `bench gemm` of the best hand config at the square and LLM shapes: each
#      time beside cuBLAS (cuBLASLt in the same worker, same buffers, same
#      timer), so "% of cuBLAS" is a same-run ratio; torch.matmul on the same
#      shapes as a cross-check of the cuBLAS figure;
#   4. a short `tune` (model strategy) and its report, which show % of cuBLAS.
#   SHAPES=... TESTS=0 TUNE=0 bash bench/gemm/baseline.sh
set -u
source bench/device_env.sh
trap 'pack_run gemm_baseline' EXIT
shapes=${SHAPES:-8192x8192x8192,4096x4096x4096,2048x2048x2048,8192x4096x4096,8192x14336x4096,8192x4096x14336,8192x18432x7168,8192x7168x16384}
best="BM=128,BN=256,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,GROUP_M=8,PERSISTENT=true"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw --format=csv | tee "$RUN/gpu.txt"

if [ "${TESTS:-1}" != 0 ]; then
  echo ">> [gpu] tests: gemm paths, tensor maps, struct arguments"
  timeout 300 .carry/tkbench_tests "[gpu][gemm],[gpu][gemm_paths],[gpu][tensor_map],[gpu][struct],[gpu][baseline]" 2>&1 | tail -25 | tee "$RUN/gpu-tests.log"
fi

echo ">> calibrate (copy bandwidth and the bf16 tensor roof)"
$TK calibrate --force 2>&1 | tee "$RUN/calibrate.txt"

echo ">> bench gemm $best, cuBLAS in the same worker"
$TK bench gemm --shape "$shapes" --dtype bf16 --config "$best" 2>&1 | tee "$RUN/bench.txt"
$TK bench gemm --shape "$shapes" --dtype bf16 --config "$best" --json > "$RUN/bench.json" 2>> "$RUN/bench.err"
python3 - "$RUN/bench.json" <<'PY' | tee "$RUN/summary.md"
import json, sys
doc = json.load(open(sys.argv[1]))
lib = {b["problem"]["shape"]: b for b in doc.get("baselines", [])}
print("| shape | tkbench µs | TFLOP/s | cuBLAS µs (same worker) | cuBLAS TFLOP/s | % of cuBLAS |")
print("|---|--:|--:|--:|--:|--:|")
for r in doc["results"]:
    s = r["problem"]["shape"]; d = r["problem"]["dims"]
    flops = 2 * d["M"] * d["N"] * d["K"]
    t = r["measurement"]["timing"]["median_us"] if r["status"] == "ok" else None
    b = lib.get(s)
    bt = b["measurement"]["timing"]["median_us"] if b and b["status"] == "ok" else None
    f = lambda us: f"{flops / us / 1e6:.0f}" if us else "-"
    print(f"| {s} | {t or '-'} | {f(t)} | {bt or '-'} | {f(bt)} | {100 * bt / t:.1f}% |" if t and bt else f"| {s} | {t} | {f(t)} | {bt} | {f(bt)} | - |")
PY
echo ">> torch.matmul on the same shapes (cross-check)"
python3 bench/gemm/torch_matmul.py "$shapes" 2>&1 | tee "$RUN/torch.txt"

if [ "${TUNE:-1}" != 0 ]; then
  echo ">> tune gemm 4096^3 (model strategy, 24 configs) and its report"
  $TK tune gemm --shape 4096x4096x4096 --strategy model --budget 24 --force -o "$RUN/tune.json" 2>&1 | tail -8 | tee "$RUN/tune.txt"
  $TK report "$RUN/tune.json" 2>&1 | tee "$RUN/report.txt"
fi
