#!/usr/bin/env bash
# bench/gemm/ab_compare.sh: a kernel change timed against the build it
# changes, in one device call, from the repo root. The build as committed is
# in .carry/ (bench/README.md), the changed one (tkbench, tkbench_tests) in
# $B (default .carry/variant; build the change in a git worktree and strip its
# tkbench and tests/tkbench_tests into it):
#   CASES=bench/gemm/ab_cases.txt bash bench/gemm/ab_compare.sh
#   1. the changed build's [gpu] tests (TESTS, ';'-separated groups), at most
#      TEST_TIMEOUT s each (default 240: [gpu][gemm] took over 110 s on a fresh
#      H100); correct before fast;
#   2. each case (a line "template shape config" of CASES) benched by A, B, B,
#      A: drift over the call cancels, and each bench times cuBLAS in its
#      worker, so every time has a same-process reference;
#   3. one table (ab_summary.py): each build's median time, B over A, and % of cuBLAS.
# Results: gemm_ab_compare.tgz.
set -u
source bench/device_env.sh
trap 'pack_run gemm_ab_compare' EXIT
begin=$(date +%s)
B=${B:-.carry/variant}
cases=${CASES:?CASES=file of "template shape config" lines}
cp "$cases" "$RUN/cases.txt"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv | tee "$RUN/gpu.txt"

IFS=';' read -r -a groups <<< "${TESTS:-[gpu][gemm];gemm_kn*;gemm_splitk*;[gpu][tensor_map]}"
for g in "${groups[@]}"; do
  progress "B's [gpu] test: $g"
  log=$RUN/tests-$(echo "$g" | tr -c 'a-z0-9_\n' '_').log
  TKBENCH_BINARY=$PWD/$B/tkbench timeout "${TEST_TIMEOUT:-240}" "$B/tkbench_tests" "$g" -r compact > "$log" 2>&1
  echo "   exit $?"; tail -n 2 "$log"
done

progress "benches: A = .carry, B = $B, order A B B A"
i=0
while read -r template shape config; do
  [ -z "$template" ] || [ "${template#\#}" != "$template" ] && continue
  i=$((i + 1))
  for round in 1 2; do
    order="a b"; [ $round = 2 ] && order="b a"
    for side in $order; do
      tk=$TK; [ $side = b ] && tk=$PWD/$B/tkbench
      timeout 60 "$tk" bench "$template" --shape "$shape" --config "$config" --max-time "${MAX_TIME:-0.3}" --json \
        > "$RUN/$side-$i-$round.json" 2> "$RUN/$side-$i-$round.err" || echo "   case $i $side round $round: exit $?"
    done
  done
done < "$cases"
python3 bench/gemm/ab_summary.py "$RUN" | tee "$RUN/summary.md"
progress done
