#!/usr/bin/env bash
# bench/rmsnorm: the RMSNorm family against PyTorch, in one run on the GPU
# machine (device tool), from the repo root with a stripped build in .carry/:
#   calibrate -> tune every shape of bench/rmsnorm/shapes.toml for rmsnorm and
#   add_rmsnorm (when built in) -> time F.rms_norm eager and torch.compile on
#   the same shapes -> one table with the issue's goals (summary.md), plus the
#   results documents for `tkbench report`. Everything is packed into
#   $OUT/rmsnorm_bench.tgz; the table is printed.
set -u
source bench/device_env.sh
trap 'pack_run rmsnorm_bench' EXIT
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | awk '{print tolower($2)}')
shapes=$(python3 - <<'PY'
import tomllib
t = tomllib.load(open("bench/rmsnorm/shapes.toml", "rb"))
print(",".join(f"{m}x{n}" for c in t.values() for m in c["M"] for n in c["N"]))
PY
)
echo ">> shapes: $shapes"
$TK calibrate -q > /dev/null && $TK devices
docs=()
for template in rmsnorm add_rmsnorm add_rmsnorm_inplace; do
  $TK show $template > /dev/null 2>&1 || { echo ">> $template: not a built-in template in this build"; continue; }
  start=$(date +%s)
  $TK tune $template --shape "$shapes" --dtype bf16 --max-time 0.25 -o "$RUN/$template-$gpu.json" -q > "$RUN/$template-tune.txt" 2>&1
  rc=$?
  echo ">> tune $template: $(( $(date +%s) - start )) s (exit $rc)"; tail -n 30 "$RUN/$template-tune.txt"
  docs+=("$RUN/$template-$gpu.json")
done
start=$(date +%s)
python3 bench/rmsnorm/torch_baseline.py "$RUN/torch-$gpu.json" ${shapes//,/ } 2>&1 | grep -v Warning | tee "$RUN/torch.txt" | tail -n 60
echo ">> torch: $(( $(date +%s) - start )) s"
python3 bench/rmsnorm/summarize.py "$RUN/torch-$gpu.json" "${docs[@]}" | tee "$RUN/summary-$gpu.md"
$TK report "${docs[@]}" -o "$RUN/report-$gpu.html" -q
