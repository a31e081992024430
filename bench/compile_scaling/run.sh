#!/usr/bin/env bash
# NVRTC compiles on threads against processes, and with a precompiled header
# (-pch), on the GPU machine's 16 cores. Build the probe first (see
# nvrtc_scaling.cpp), then from the repository root with .carry/ carried:
#   bash bench/compile_scaling/run.sh
# Results: bench/results/2026-12-01-h200-compile-scaling.txt
set -u
source bench/device_env.sh
export CUDA_CACHE_DISABLE=1 TKSRC=$PWD
P=.carry/probe/nvrtc_scaling
nproc; lscpu | grep -E "Model name|Thread|Core|Socket|NUMA node\(s\)"
for T in 1 4 8 12 16; do $P $T 4 0; done
for N in 8 14; do echo "== $N processes x 4"; s=$(date +%s.%N); for i in $(seq 0 $((N-1))); do $P 1 4 $((i*4)) & done; wait; e=$(date +%s.%N); python3 -c "print('procs $N wall %.2f s, %.1f kernels/s' % ($e-$s, $N*4/($e-$s)))"; done
echo "== pch"; $P 1 8 0 -pch; $P 8 4 0 -pch; $P 14 4 0 -pch
echo "== tkbench compile"
for j in 1 14; do s=$(date +%s.%N); $TK -q -j $j compile rmsnorm --shape 4096x8192 --sample 56 --no-cache > /dev/null; e=$(date +%s.%N); python3 -c "print('tkbench -j $j 56 kernels: %.2f s' % ($e-$s))"; done
