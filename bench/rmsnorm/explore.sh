#!/usr/bin/env bash
# Which rmsnorm kernel paths win where (device tool, repo root, build in
# .carry/): the [gpu] family correctness test, then random samples of the
# whole space at one shape per class, best per kernel path (modes.py).
#   TEMPLATE (default rmsnorm), SHAPES, BUDGET (configs per shape, default 300)
set -u
source bench/device_env.sh
trap 'pack_run rmsnorm_explore' EXIT
$TK calibrate -q > /dev/null && $TK devices | tail -n 3
if [ -x .carry/tkbench_tests ]; then
  start=$(date +%s)
  timeout 300 .carry/tkbench_tests "[gpu]" > "$RUN/gpu_tests.txt" 2>&1
  echo ">> [gpu] tests: exit $? in $(( $(date +%s) - start )) s"; tail -n 40 "$RUN/gpu_tests.txt" | grep -v "^$" | tail -n 25
fi
template=${TEMPLATE:-rmsnorm}
for shape in ${SHAPES:-16384x4096 4096x2048 8192x65536 1x8192 32x8192 32768x256}; do
  start=$(date +%s)
  $TK tune $template --shape $shape --strategy random --budget ${BUDGET:-300} --max-time 0.1 --force \
    -o "$RUN/$template-$shape.json" -q > "$RUN/tune-$shape.txt" 2>&1
  echo ">> tune $template $shape: exit $? in $(( $(date +%s) - start )) s"
  python3 bench/rmsnorm/modes.py "$RUN/$template-$shape.json" | head -n 30
done
