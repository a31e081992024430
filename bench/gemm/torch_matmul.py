"""cuBLAS through torch.matmul at gemm's shapes, timed as tkbench times:
L2 flushed (a read of 2 x L2) before each call, CUDA events, median of many.
D = A @ B.T with A (M x K) and B (N x K), as tkbench's gemm computes; with
--layouts nk,kn also D = A @ B with B (K x N), as gemm_kn computes (lines
"torch-kn ...").
--reps N times N calls a shape (default 50; 3 under a profiler).
Usage: python3 torch_matmul.py 8192x8192x8192,4096x4096x4096 [--layouts nk,kn] [--reps N]"""
import statistics
import sys

import torch


def time_us(fn, flush, reps=50):
    times = []
    for _ in range(reps):
        flush()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) * 1000.0)
    return statistics.median(times)


def main():
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    scratch = torch.empty(2 * l2 // 4, dtype=torch.float32, device="cuda")
    flush = lambda: scratch.sum()
    layouts = sys.argv[sys.argv.index("--layouts") + 1].split(",") if "--layouts" in sys.argv else ["nk"]
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 50
    for shape in sys.argv[1].split(","):
        m, n, k = (int(x) for x in shape.split("x"))
        for dtype in (torch.bfloat16,):
            for layout in layouts:
                a = torch.randn(m, k, dtype=dtype, device="cuda")
                b = torch.randn(n, k, dtype=dtype, device="cuda") if layout == "nk" else \
                    torch.randn(k, n, dtype=dtype, device="cuda")
                fn = (lambda: a @ b.T) if layout == "nk" else (lambda: a @ b)
                for _ in range(5):
                    fn()
                us = time_us(fn, flush, reps)
                name = "torch" if layout == "nk" else "torch-kn"
                print(f"{name} {shape} {str(dtype).split('.')[-1]} {us:.2f} us {2 * m * n * k / us / 1e6:.1f} TFLOP/s")


if __name__ == "__main__":
    main()
