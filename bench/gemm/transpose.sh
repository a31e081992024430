#!/usr/bin/env bash
# bench/gemm/transpose.sh: issue 17's transpose goal in one device call (about
# 3 minutes, calibration included), from the repo root with a stripped build in
# .carry/ (bench/README.md):
#   1. a copy of the same bytes (bf16, 16384^2; the first command calibrates);
#   2. the best config of the element gather so far, benched alone;
#   3. transpose 16384^2 bf16 tuned exhaustively over TRANSPOSE_CONFIG's
#      subspace (default: 16-byte unpadded swizzled vectors, the element gather
#      against LDMATRIX's ldmatrix.trans, every tile, thread count and block
#      order), with counters, in the same run as the copy;
#   4. the [gpu] test (every kind of config, LDMATRIX on whole and edge tiles),
#      last, with what is left of DEADLINE seconds (default 600) from the start:
#      the tune already verified every config it timed.
# Results: gemm_transpose.tgz (copy, benches, tune document, report, test log).
set -u
source bench/device_env.sh
trap 'pack_run gemm_transpose' EXIT
begin=$(date +%s)

progress "copy of the same bytes (bf16)"
timeout 150 $TK bench copy --shape 268435456 --dtype bf16 --config VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=false \
  > "$RUN/copy-bf16.txt" 2>&1; grep -E "µs" "$RUN/copy-bf16.txt" | head -3

progress "the element gather's best so far"
timeout 60 $TK bench transpose --shape 16384x16384 --dtype bf16 \
  --config TILE=64,VEC_BYTES=16,THREADS=256,PAD=false,SWIZZLE=false,BLOCKS=false,GROUP=64,LDMATRIX=false \
  > "$RUN/bench-gather-best.txt" 2>&1; grep -E "µs|copy" "$RUN/bench-gather-best.txt" | head -3

TUNE_TIMEOUT=200 tune_into_run transpose-bf16 transpose 16384x16384 bf16 exhaustive \
  --config "${TRANSPOSE_CONFIG:-VEC_BYTES=16,PAD=false,SWIZZLE=true,BLOCKS=false}" --max-time 0.2 --counters
python3 - "$RUN/tune-transpose-bf16.json" <<'PY'
import json, sys
rs = [r for r in json.load(open(sys.argv[1]))["results"] if r["status"] == "ok"]
rs.sort(key=lambda r: r["measurement"]["timing"]["median_us"])
for r in rs[:12]:
    c, v = r["config"], (r["measurement"].get("counters") or {}).get("values", {})
    print(f'{r["measurement"]["timing"]["median_us"]:8.1f} µs', ",".join(f"{k}={c[k]}" for k in ("TILE", "THREADS", "SWIZZLE", "GROUP", "LDMATRIX")),
          f'dram {v.get("dram__throughput.avg.pct_of_peak_sustained_elapsed", 0):.1f}%',
          f'regs {r["compile"]["resources"]["registers"]}')
PY

left=$(( ${DEADLINE:-600} - ($(date +%s) - begin) - 10 ))
progress "[gpu] test ($left s left)"
if [ "$left" -gt 20 ]; then
  timeout "$left" .carry/tkbench_tests "transpose is exact*" -r compact > "$RUN/tests.log" 2>&1
  echo "   exit $?"; grep -E "passed|failed|FAILED|No test cases matched" "$RUN/tests.log" | tail -3
fi
progress "done"
