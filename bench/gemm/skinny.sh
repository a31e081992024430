#!/usr/bin/env bash
# bench/gemm/skinny.sh: why gemm_splitk misses cuBLAS at some skinny shapes,
# in one device call (about 7 minutes), from the repo root with a stripped
# build in .carry/ (bench/README.md):
#   1. how many clusters of 1, 2, 4 and 8 one-SM blocks stay resident
#      (cluster_occupancy.cu): split K's cluster sizes;
#   2. an exhaustive sweep of gemm_splitk's subspace CONFIG (default
#      SWIZZLE=128,CONSUMERS=1,GROUP_M=1,SWAP_AB=0) at SHAPES, cuBLAS in the same
#      worker; one table (skinny_summary.py): cuBLAS, the best config, the
#      best of each split and block count;
#   3. the kernels cuBLAS runs at PROFILE_SHAPES (ncu: name, grid, cluster,
#      time, DRAM %; NCU=0 skips it), and CUPTI counters of the sweep's best there.
# Results: gemm_skinny.tgz.
set -u
source bench/device_env.sh
trap 'pack_run gemm_skinny' EXIT
begin=$(date +%s)
shapes=${SHAPES:-16x4096x4096,16x4096x14336,16x7168x4096,16x7168x7168,64x4096x4096,128x4096x4096,128x4096x7168,128x4096x14336,128x7168x4096,128x7168x7168}
profile_shapes=${PROFILE_SHAPES:-16x4096x4096,128x4096x14336,128x7168x4096}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw --format=csv | tee "$RUN/gpu.txt"

progress "resident clusters of one-SM blocks (200 KiB of shared memory each)"
nvcc -arch=sm_90a -o /tmp/occ bench/gemm/cluster_occupancy.cu && /tmp/occ 204800 | tee "$RUN/cluster_occupancy.txt"

TUNE_TIMEOUT=${SWEEP_TIMEOUT:-330} tune_into_run sweep gemm_splitk "$shapes" bf16 exhaustive \
  --config "${CONFIG:-SWIZZLE=128,CONSUMERS=1,GROUP_M=1,SWAP_AB=0}" --max-time 0.1
python3 bench/gemm/skinny_summary.py "$RUN/tune-sweep.json" | tee "$RUN/summary.md"

if [ "${NCU:-1}" = 1 ]; then
progress "cuBLAS's kernels under ncu"
timeout 120 ncu --csv --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size,launch__cluster_dim_x,launch__registers_per_thread \
  python3 bench/gemm/torch_matmul.py "$profile_shapes" --reps 3 > "$RUN/ncu-cublas.csv" 2> "$RUN/ncu-cublas.err"
echo "   exit $?"
python3 - "$RUN/ncu-cublas.csv" <<'PY'
import csv, sys, collections
rows = [r for r in csv.reader(l for l in open(sys.argv[1]) if l.startswith('"'))]
head, rows = rows[0], rows[1:]
ix = {k: head.index(k) for k in ("Kernel Name", "Metric Name", "Metric Value", "ID")}
kernels = collections.OrderedDict()
for r in rows:
    kernels.setdefault(r[ix["ID"]], {"name": r[ix["Kernel Name"]]})[r[ix["Metric Name"]]] = r[ix["Metric Value"]]
seen = {}  # each distinct kernel and grid once (its last call): warm-up calls repeat it
for k in kernels.values():
    if not any(s in k["name"] for s in ("distribution", "reduce_kernel", "elementwise")):
        seen[(k["name"], k.get("launch__grid_size"))] = k
for k in seen.values():
    print(k["name"][:140], {m.split("__")[-1]: v for m, v in k.items() if m != "name"})
PY
fi

best=$(python3 bench/gemm/skinny_summary.py "$RUN/tune-sweep.json" --best "$profile_shapes")
for pair in $best; do
  shape=${pair%%:*} config=${pair#*:}
  progress "counters of the sweep's best at $shape ($config)"
  timeout 60 $TK profile gemm_splitk --shape "$shape" --config "$config" > "$RUN/profile-$shape.txt" 2>&1
  grep -iE "µs|DRAM|occup|tensor|L2" "$RUN/profile-$shape.txt" | head -8
done
progress done
