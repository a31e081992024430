#!/usr/bin/env bash
# bench/rmsnorm: the RMSNorm family against PyTorch on the GPU machine, from
# the repo root with a stripped build in .carry/ (bench/README.md):
#   calibrate -> tune every shape of bench/rmsnorm/shapes.toml for rmsnorm,
#   add_rmsnorm and add_rmsnorm_inplace (those built in) -> time F.rms_norm
#   eager and torch.compile on the same shapes -> one table with the issue's
#   goals (summary-GPU.md) and the results documents for `tkbench report`.
#
#   bash bench/rmsnorm/run.sh            all of it, in one run
#   bash bench/rmsnorm/run.sh tkbench    calibrate and tune only
#   bash bench/rmsnorm/run.sh torch DIR  PyTorch and the table, with the documents of an earlier
#                                        `tkbench` phase in DIR (for runs capped at 10 minutes)
#   bash bench/rmsnorm/run.sh all DIR    both; DIR's documents stand in for templates not tuned here
# COPY=0 skips timing a plain copy of each shape's footprint.
# Everything lands in $RUN and is packed into $OUT/rmsnorm_bench.tgz.
# Shapes of M >= 256 are searched with --strategy bayes: TUNE_BUDGET configs per
# shape (default 120), at most TUNE_TIME (default 8s) per shape. Decode shapes
# (M < 256: their spaces hold 60-230 configs) are searched whole, at most
# DECODE_TIME (default 60s) per shape: about 35 s for rmsnorm on an H200.
# TEMPLATES picks the templates (default: rmsnorm add_rmsnorm add_rmsnorm_inplace);
# SHAPES (1x8192,4096x8192,...) replaces the shape set, for a re-check of a few.
set -u
phase=${1:-all}
source bench/device_env.sh
trap 'pack_run rmsnorm_bench' EXIT
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | awk '{print tolower($2)}')
shapes=${SHAPES:-$(python3 - <<'PY'
import tomllib
t = tomllib.load(open("bench/rmsnorm/shapes.toml", "rb"))
print(",".join(f"{m}x{n}" for c in t.values() for m in c["M"] for n in c["N"]))
PY
)}
echo ">> shapes: $shapes"
# Shapes of M < 256 rows (decode): one row per block, about 60-230 configs a
# template, all of them searched; the rest with bayes.
decode=$(echo "${shapes//,/ }" | tr ' ' '\n' | awk -Fx '$1 < 256' | paste -sd,)
large=$(echo "${shapes//,/ }" | tr ' ' '\n' | awk -Fx '$1 >= 256' | paste -sd,)
if [ "$phase" != torch ]; then
  $TK calibrate -q > /dev/null && $TK devices
  for template in ${TEMPLATES:-rmsnorm add_rmsnorm add_rmsnorm_inplace}; do
    $TK show $template > /dev/null 2>&1 || { echo ">> $template: not a built-in template in this build"; continue; }
    start=$(date +%s)
    if [ -n "$large" ]; then
      $TK tune $template --shape "$large" --dtype bf16 --max-time 0.25 --time "${TUNE_TIME:-8s}" \
        --strategy bayes --budget "${TUNE_BUDGET:-120}" \
        -o "$RUN/$template-$gpu.json" -q > "$RUN/$template-tune.txt" 2>&1
      rc=$?
      echo ">> tune $template: $(( $(date +%s) - start )) s (exit $rc)"; grep -v "configs, .* failed$" "$RUN/$template-tune.txt" | tail -n 30
    fi
    if [ -n "$decode" ]; then  # no --strategy: exhaustive, as these spaces hold <= 256 configs
      start=$(date +%s)
      $TK tune $template --shape "$decode" --dtype bf16 --max-time 0.25 --time "${DECODE_TIME:-60s}" \
        -o "$RUN/$template-decode-$gpu.json" -q > "$RUN/$template-decode-tune.txt" 2>&1
      rc=$?
      echo ">> tune $template, decode: $(( $(date +%s) - start )) s (exit $rc)"; grep -v "configs, .* failed$" "$RUN/$template-decode-tune.txt" | tail -n 10
    fi
  done
  # A plain copy of each shape's M*N elements (the copy kernel's usual best
  # config on an H200): what moving these bytes costs here at this footprint.
  [ "${COPY:-1}" = 1 ] && for s in ${shapes//,/ }; do
    $TK bench copy --shape $(( ${s%x*} * ${s#*x} )) --dtype bf16 --config VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=0 \
      --json > "$RUN/copy-$s.json" 2> /dev/null || echo ">> copy $s: exit $?"
  done
fi
[ "$phase" = tkbench ] && exit 0
docs_dir=${2:-$RUN}
# Documents of an earlier phase fill in the templates this run did not tune.
[ "$docs_dir" != "$RUN" ] && for f in "$docs_dir"/*-$gpu.json; do [ -e "$RUN/${f##*/}" ] || cp "$f" "$RUN"/; done
docs=$(ls "$RUN"/*rmsnorm*-$gpu.json 2>/dev/null | grep -v torch)
[ -n "$docs" ] || { echo ">> no tkbench results documents for $gpu"; exit 1; }
start=$(date +%s)
python3 bench/rmsnorm/torch_baseline.py "$RUN/torch-$gpu.json" ${shapes//,/ } > "$RUN/torch.txt" 2>&1
rc=$?
echo ">> torch: $(( $(date +%s) - start )) s (exit $rc)"; grep "^torch" "$RUN/torch.txt" | tail -n 50; grep -i "error\|Traceback" "$RUN/torch.txt" | head
python3 bench/rmsnorm/summarize.py "$RUN/torch-$gpu.json" $docs | tee "$RUN/summary-$gpu.md"
$TK report $docs -o "$RUN/report-$gpu.html" -q
