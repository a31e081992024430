#!/usr/bin/env bash
# bench/gemm/transpose.sh: issue 17's transpose goal in one device call (about
# 2 minutes, calibration included), from the repo root with a stripped build in
# .carry/ (bench/README.md):
#   1. the [gpu] test (every kind of config, LDMATRIX on whole and edge tiles);
#   2. a copy of the same bytes (bf16, 16384^2);
#   3. transpose 16384^2 bf16 tuned exhaustively over 16-byte vectors without
#      padding: element gather against ldmatrix.trans, every tile, thread count
#      and block order, with counters, in the same run as the copy.
# Results: gemm_transpose.tgz (test log, copy, tune document, report).
set -u
source bench/device_env.sh
trap 'pack_run gemm_transpose' EXIT
begin=$(date +%s)
step() { echo ">> [$(( $(date +%s) - begin )) s] $*"; }

step "[gpu] test"
timeout "${TEST_TIMEOUT:-150}" .carry/tkbench_tests "transpose is exact*" -r compact > "$RUN/tests.log" 2>&1
echo "   exit $?"; grep -E "passed|failed|FAILED|No test cases matched" "$RUN/tests.log" | tail -3

step "copy of the same bytes (bf16)"
timeout 150 $TK bench copy --shape 268435456 --dtype bf16 --config VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=false \
  > "$RUN/copy-bf16.txt" 2>&1; grep -E "µs" "$RUN/copy-bf16.txt" | head -3

step "tune transpose 16384x16384 bf16 (exhaustive, ${TRANSPOSE_CONFIG:=VEC_BYTES=16,PAD=false,BLOCKS=false})"
timeout 200 $TK tune transpose --shape 16384x16384 --dtype bf16 --strategy exhaustive --config "$TRANSPOSE_CONFIG" \
  --max-time 0.2 --force --counters -o "$RUN/tune-transpose-bf16.json" > "$RUN/tune-transpose-bf16.txt" 2>&1
echo "   exit $?"; tail -n 4 "$RUN/tune-transpose-bf16.txt"
$TK report "$RUN/tune-transpose-bf16.json" > "$RUN/report-transpose-bf16.txt" 2>&1
python3 - "$RUN/tune-transpose-bf16.json" <<'PY'
import json, sys
rs = [r for r in json.load(open(sys.argv[1]))["results"] if r["status"] == "ok"]
rs.sort(key=lambda r: r["measurement"]["timing"]["median_us"])
for r in rs[:12]:
    c, v = r["config"], (r["measurement"].get("counters") or {}).get("values", {})
    print(f'{r["measurement"]["timing"]["median_us"]:8.1f} µs', ",".join(f"{k}={c[k]}" for k in ("TILE", "THREADS", "SWIZZLE", "GROUP", "LDMATRIX")),
          f'dram {v.get("dram__throughput.avg.pct_of_peak_sustained_elapsed", 0):.1f}%')
PY
step "done"
