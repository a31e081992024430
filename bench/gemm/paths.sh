#!/usr/bin/env bash
# bench/gemm/paths.sh: the gemm family's other kernels in one short device call
# (about 3-4 minutes), from the repo root with a stripped build in .carry/
# (bench/README.md); builds nothing.
#   1. the [gpu] tests of gemm_kn (wgmma, B K x N), gemm_splitk (skinny M,
#      split K over a cluster), gemm_sm80 and gemm_sm80_kn (mma.sync, both
#      layouts) and transpose at odd shapes, and the TMA swizzle test (the
#      tensor-map layout element by element);
#   2. `bench` of a few hand-picked configs of each at 8192^3 and 4096^3 bf16,
#      and torch.matmul (cuBLAS) on the same shapes, B as N x K (A @ B.T) and
#      as K x N (A @ B), timed the same way (torch_matmul.py); gemm_splitk and
#      gemm at skinny shapes (SKINNY) against torch.matmul there;
#   3. transpose at 16384 x 16384 bf16 (and fp32) against a copy of the same
#      bytes, after `tkbench calibrate`;
#   4. one table: TFLOP/s and % of torch.matmul, GB/s and % of the copy (paths_summary.py).
#   SHAPES=4096x4096x4096 bash ...     other gemm shapes (M x N x K)
#   SKINNY=16x4096x14336 bash ...      other skinny shapes
#   TESTS=0 bash ...                   skip the [gpu] tests (about 2 minutes)
#   BENCH=0 bash ...                   the tests only
# Everything lands in $RUN and is packed into $OUT/gemm_paths.tgz.
set -u
source bench/device_env.sh
trap 'pack_run gemm_paths' EXIT
shapes=${SHAPES:-8192x8192x8192,4096x4096x4096}
skinny=${SKINNY:-16x4096x14336,64x7168x4096,128x14336x4096,64x4096x7168}
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw --format=csv | tee "$RUN/gpu.txt"
$TK calibrate -q > /dev/null && $TK devices | tee "$RUN/devices.txt"

if [ "${TESTS:-1}" != 0 ]; then
  echo ">> [gpu] tests"
  timeout 240 .carry/tkbench_tests "[gpu][gemm_paths],[gpu][tensor_map]" 2>&1 | tail -40 | tee "$RUN/gpu-tests.log"
fi

[ "${BENCH:-1}" = 0 ] && exit 0

bench() {  # template, shapes, dtype, config
  echo "== $1 $4" | tee -a "$RUN/bench.txt"
  $TK bench "$1" --shape "$2" --dtype "$3" --config "$4" --json >> "$RUN/bench-$1.jsonl" 2>> "$RUN/bench.err" \
    || echo "bench failed: $1 $4" | tee -a "$RUN/bench.err"
}

echo ">> gemm_kn (wgmma, B K x N)"
bench gemm_kn "$shapes" bf16 "BM=128,BN=256,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,GROUP_M=8,PERSISTENT=true"
bench gemm_kn "$shapes" bf16 "BM=128,BN=256,BK=64,STAGES=4,CONSUMERS=2,SWIZZLE=128,GROUP_M=16,PERSISTENT=true"
bench gemm_kn "$shapes" bf16 "BM=128,BN=128,BK=64,STAGES=4,CONSUMERS=1,SWIZZLE=128,GROUP_M=8,PERSISTENT=false"

echo ">> gemm_splitk against gemm at skinny shapes"
bench gemm "$skinny" bf16 "BM=128,BN=128,BK=64,STAGES=4,CONSUMERS=1,SWIZZLE=128,GROUP_M=8,PERSISTENT=false"
for c in "BM=64,BN=128,BK=64,STAGES=6,CONSUMERS=1,SWIZZLE=128,GROUP_M=1,SPLIT_K=4" \
         "BM=64,BN=128,BK=128,STAGES=4,CONSUMERS=1,SWIZZLE=128,GROUP_M=1,SPLIT_K=2" \
         "BM=64,BN=256,BK=64,STAGES=4,CONSUMERS=1,SWIZZLE=128,GROUP_M=1,SPLIT_K=4" \
         "BM=64,BN=64,BK=128,STAGES=6,CONSUMERS=1,SWIZZLE=128,GROUP_M=1,SPLIT_K=8"; do
  bench gemm_splitk "$skinny" bf16 "$c"
done

echo ">> gemm_sm80 / gemm_sm80_kn (mma.sync)"
for t in gemm_sm80 gemm_sm80_kn; do
  bench $t "$shapes" bf16 "BM=128,BN=256,BK=32,WM=64,WN=64,STAGES=4,SWIZZLE=64,GROUP_M=8"
  bench $t "$shapes" bf16 "BM=256,BN=128,BK=32,WM=64,WN=64,STAGES=4,SWIZZLE=64,GROUP_M=8"
  bench $t "$shapes" bf16 "BM=128,BN=128,BK=32,WM=64,WN=64,STAGES=4,SWIZZLE=64,GROUP_M=8"
  bench $t "$shapes" bf16 "BM=128,BN=128,BK=64,WM=64,WN=32,STAGES=4,SWIZZLE=128,GROUP_M=8"
done

echo ">> transpose against a copy of the same bytes"
for dtype in bf16 fp32; do
  bench copy 268435456 $dtype "VEC_BYTES=16,THREADS=256,UNROLL=1,STREAMING=false"
  for c in "TILE=64,VEC_BYTES=16,THREADS=256,PAD=false,SWIZZLE=true" \
           "TILE=64,VEC_BYTES=16,THREADS=256,PAD=true,SWIZZLE=false" \
           "TILE=64,VEC_BYTES=16,THREADS=256,PAD=false,SWIZZLE=false" \
           "TILE=64,VEC_BYTES=8,THREADS=256,PAD=false,SWIZZLE=true" \
           "TILE=128,VEC_BYTES=16,THREADS=512,PAD=false,SWIZZLE=true" \
           "TILE=32,VEC_BYTES=4,THREADS=256,PAD=true,SWIZZLE=false"; do
    bench transpose 16384x16384 $dtype "$c"
  done
done

echo ">> torch.matmul (cuBLAS), B as N x K and as K x N"
python3 bench/gemm/torch_matmul.py "$shapes" --layouts nk,kn 2>&1 | tee "$RUN/torch.txt"
python3 bench/gemm/torch_matmul.py "$skinny" 2>&1 | tee -a "$RUN/torch.txt"
python3 bench/gemm/paths_summary.py "$RUN" 2>&1 | tee "$RUN/summary.md"
