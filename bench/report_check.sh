#!/usr/bin/env bash
# Report check (issue 7), for the device tool, from the repo root, with a
# stripped build in .carry/: an exhaustive tune of rmsnorm_basic (bf16) with CUPTI
# counters at one shape of each class in ../shared/bench/shapes.toml (prefill,
# large and small hidden, decode), then `tkbench report` in every format. The
# results document and the reports come back in $OUT/report_check.tgz; the HTML is opened in
# Chromium on the CPU machine (the GPU machine has no browser).
set -u
source bench/device_env.sh
trap 'pack_run report_check' EXIT
$TK calibrate -q > /dev/null
$TK devices
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | awk '{print tolower($2)}')  # h100, h200
shapes=4096x2048,4096x8192,16384x8192,65536x4096,8192x32768,32768x512,1x8192,32x8192
start=$(date +%s)
$TK tune rmsnorm_basic --shape $shapes --counters --max-time 0.25 -o "$RUN/rmsnorm-$gpu.json" -q
echo "tune with counters: $(( $(date +%s) - start )) s"
$TK report "$RUN/rmsnorm-$gpu.json"
for ext in html md csv json; do $TK report "$RUN/rmsnorm-$gpu.json" -o "$RUN/report.$ext"; done
