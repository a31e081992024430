#!/usr/bin/env bash
# docs/cluster.md's scripts run as written, on fake GPUs (TKBENCH_TEST_FAKE_GPUS,
# tests/fixtures/fake_worker.py): three Slurm array tasks (the environment
# sbatch --array gives each), the merge job, and the plain-shell loop over two
# GPUs; each merged document must hold the configs of the unsharded search.
# Usage: cluster_scripts.sh TKBENCH_BINARY
set -euo pipefail
tkbench=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
examples=$here/../docs/examples/cluster
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache TKBENCH=$tkbench
# Each fake GPU calibrated beforehand: no copy sweep.
mkdir -p "$XDG_CACHE_HOME/tkbench/calibration"
for i in 0 1; do
  cat > "$XDG_CACHE_HOME/tkbench/calibration/GPU-fake-$i.json" <<JSON
{"schema": "tkbench.calibration/1", "device": {"name": "Fake H200", "uuid": "GPU-fake-$i", "arch": "sm_90", "driver_version": 13000},
 "bandwidth": 4.2e12, "source": "copy kernel", "copy_kernel": {"bandwidth": 4.2e12, "config": "", "configs_tried": 0},
 "driver_copy": {"bandwidth": 0}, "bytes_per_buffer": 0, "measured_at": "", "tool_version": ""}
JSON
done
export TKBENCH_TEST_WORKER="exec python3 $here/fixtures/fake_worker.py $work/requests\$1 1 -1 $work/dead\$1"
export SEARCH="copy --shape 1048576 --dtype fp32 --config THREADS=256,STREAMING=0 --strategy exhaustive"
configs() { python3 -c 'import json,sys; print(sorted(json.dumps(r["config"]) for r in json.load(open(sys.argv[1]))["results"]))' "$1"; }

TKBENCH_TEST_FAKE_GPUS=1 "$tkbench" tune $SEARCH -j 2 -q -o "$work/whole.json"
want=$(configs "$work/whole.json")

cd "$work"
for task in 0 1 2; do
  TKBENCH_TEST_FAKE_GPUS=1 SLURM_ARRAY_JOB_ID=42 SLURM_ARRAY_TASK_ID=$task SLURM_ARRAY_TASK_COUNT=3 \
    bash "$examples/tune_array.sbatch" > /dev/null
done
TKBENCH_TEST_FAKE_GPUS=1 bash "$examples/merge.sbatch" "$work/tkbench-results/array-42" > /dev/null
[ "$(configs tkbench-results/array-42/all.json)" = "$want" ] || { echo "FAIL: the array's merged configs differ from the unsharded run's"; exit 1; }
echo "ok: sbatch --array (3 tasks) + merge.sbatch = the unsharded search"

TKBENCH_TEST_FAKE_GPUS=2 RESULTS=$work/loop bash "$examples/tune_loop.sh" > /dev/null
[ "$(configs loop/all.json)" = "$want" ] || { echo "FAIL: the shell loop's merged configs differ from the unsharded run's"; exit 1; }
[ -s requests0 ] && [ -s requests1 ] || { echo "FAIL: the loop did not use both GPUs"; exit 1; }
echo "ok: tune_loop.sh over 2 GPUs + merge = the unsharded search"
