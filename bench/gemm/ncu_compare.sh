#!/usr/bin/env bash
# bench/gemm/ncu_compare.sh: one gemm_splitk config and cuBLAS at the same
# shape under ncu's full set (about 1 minute a kernel), to see where the config
# loses time that cuBLAS does not: DRAM and L2 throughput, stall reasons,
# instruction mix. From the repo root with a stripped build in .carry/
# (bench/README.md):
#   SHAPE=128x7168x4096 CONFIG=BM=64,BN=112,... bash bench/gemm/ncu_compare.sh
# (NCU=0: the K line only, about 2 minutes on a fresh machine, calibration included).
# Both run under ncu's defaults (clocks locked to base, caches flushed before
# each kernel), so their times are comparable with each other, not with
# tkbench's. Before them, the config and cuBLAS timed by tkbench at K in KS
# (default 1024 to 16384) with M and N kept, and a line fitted to each
# (k_slope.py): a fixed cost apart from the stream of k-blocks. Results:
# gemm_ncu_compare.tgz (ours.txt, cublas.txt: ncu's details pages;
# metrics.csv: both kernels' raw metrics side by side; k_slope.md).
set -u
source bench/device_env.sh
trap 'pack_run gemm_ncu_compare' EXIT
begin=$(date +%s)
shape=${SHAPE:?SHAPE=MxNxK}
config=${CONFIG:?CONFIG=BM=...,BN=...}
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv | tee "$RUN/gpu.txt"

# First the K line: its tune also calibrates a fresh machine, which must not
# happen under ncu (every copy kernel of the calibration would be replayed).
mn=${shape%x*}
shapes=$(for k in ${KS:-1024 2048 4096 8192 16384}; do echo "${mn}x$k"; done | paste -sd,)
TUNE_TIMEOUT=200 tune_into_run k_slope gemm_splitk "$shapes" bf16 exhaustive --config "$config" --max-time 0.2
python3 bench/gemm/k_slope.py "$RUN/tune-k_slope.json" | tee "$RUN/k_slope.md"

if [ "${NCU:-1}" = 0 ]; then progress "done (NCU=0: the K line only)"; exit 0; fi
progress "ours under ncu: gemm_splitk $shape $config"
# gemm< and not gemm_reference<; the verification launch comes first, the second is a timed one.
timeout 240 ncu --set full --target-processes all --kernel-name-base demangled -k 'regex:gemm<' --launch-skip 1 --launch-count 1 -o "$RUN/ours" \
  "$TK" bench gemm_splitk --shape "$shape" --config "$config" --max-time 0.05 > "$RUN/ours.log" 2>&1
echo "   exit $?"; grep -E "correct|time|cuBLAS" "$RUN/ours.log" | head -4

progress "cuBLAS under ncu: torch.matmul $shape"
timeout 180 ncu --set full -k regex:'nvjet|gemm|xmma' --launch-skip 1 --launch-count 1 -o "$RUN/cublas" \
  python3 bench/gemm/torch_matmul.py "$shape" --reps 3 > "$RUN/cublas.log" 2>&1
echo "   exit $?"

for k in ours cublas; do
  [ -f "$RUN/$k.ncu-rep" ] || continue
  ncu -i "$RUN/$k.ncu-rep" --page details > "$RUN/$k.txt" 2>&1
  ncu -i "$RUN/$k.ncu-rep" --page raw --csv > "$RUN/$k-raw.csv" 2>&1
done
python3 - "$RUN" > "$RUN/metrics.csv" <<'PY'
import csv, os, sys
run = sys.argv[1]
def load(name):
    path = os.path.join(run, name + "-raw.csv")
    if not os.path.exists(path): return {}
    rows = list(csv.reader(l for l in open(path) if l.startswith('"')))
    if len(rows) < 3: return {}
    head, units, values = rows[0], rows[1], rows[2]
    return {h: (v, u) for h, u, v in zip(head, units, values)}
ours, cublas = load("ours"), load("cublas")
print("metric,unit,ours,cublas")
for key in sorted(set(ours) | set(cublas)):
    o, c = ours.get(key, ("", "")), cublas.get(key, ("", ""))
    if o[0] != c[0]: print(f'"{key}","{o[1] or c[1]}","{o[0]}","{c[0]}"')
PY
# The figures that usually decide a memory-bound GEMM, side by side.
grep -E '"(gpu__time_duration.sum|dram__bytes_read.sum|dram__bytes_write.sum|dram__throughput.avg.pct_of_peak_sustained_elapsed|lts__t_sector_hit_rate.pct|lts__throughput.avg.pct_of_peak_sustained_elapsed|sm__throughput.avg.pct_of_peak_sustained_elapsed|launch__grid_size|launch__cluster_dim_x|launch__registers_per_thread|launch__shared_mem_per_block_dynamic|sm__cycles_active.avg|smsp__cycles_active.avg)"' "$RUN/metrics.csv"

progress done
