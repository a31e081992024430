#!/usr/bin/env bash
# bench/gpu_tests.sh: [gpu] test groups at once, one process each (each
# compiles its configs with NVRTC on its own core; the GPU checks are short),
# every test case's outcome kept: one device call instead of one per group.
#   bash bench/gpu_tests.sh "[gpu][gemm]" "[gpu][gemm_paths]" ...   (default: the tensor-core and norm-family groups)
#   TEST_TIMEOUT=400 bash ...
set -u
source bench/device_env.sh
trap 'pack_run gpu_tests' EXIT
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=("[gpu][gemm]" "[gpu][tensor_map]" "[gpu][struct]" "[gpu][baseline]"
  "gemm_kn (wgmma*" "gemm_splitk is correct*" "gemm_sm80 (mma.sync*"
  "gemm_sm80_kn*" "transpose is exact at odd shapes*")
i=0
for g in "${groups[@]}"; do
  i=$((i + 1))
  ( start=$(date +%s)
    timeout "${TEST_TIMEOUT:-420}" .carry/tkbench_tests "$g" -r compact -d yes > "$RUN/group-$i.log" 2>&1
    echo "rc=$? $(( $(date +%s) - start )) s  $g" > "$RUN/group-$i.rc" ) &
done
wait
for f in "$RUN"/group-*.rc; do
  n=${f%.rc}; cat "$f"; grep -E "^(Passed|Failed)|passed|failed|FAILED|error" "$n.log" | grep -v "^$" | tail -4 | sed 's/^/    /'
done
