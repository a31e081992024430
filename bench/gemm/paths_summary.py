"""One table from bench/gemm/paths.sh's $RUN: per template and shape, the best
bench time of the hand-picked configs against torch.matmul with the same B
layout (TFLOP/s, % of cuBLAS), and transpose against a copy of the same bytes
timed in the same run (GB/s, % of the copy)."""
import re
import sys
from pathlib import Path

from summarize import documents  # the same bench --json reader

SIZES = {"bf16": 2, "fp16": 2, "fp32": 4}


def best_times(run):
    """(template, shape, dtype) -> (median us, config), the fastest verified result."""
    best = {}
    for path in sorted(run.glob("bench-*.jsonl")):
        template = path.stem[len("bench-"):]
        for doc in documents(path):
            for r in doc.get("results", []):
                t = (r.get("measurement") or {}).get("timing") or {}
                if r.get("status") != "ok" or "median_us" not in t:
                    continue
                key = (template, r["problem"]["shape"], r["problem"].get("dtype", "bf16"))
                if key not in best or t["median_us"] < best[key][0]:
                    best[key] = (t["median_us"], r["config"])
    return best


def main():
    run = Path(sys.argv[1])
    best = best_times(run)
    torch = {}
    for line in (run / "torch.txt").read_text().splitlines() if (run / "torch.txt").exists() else []:
        m = re.match(r"(torch|torch-kn) (\S+) bfloat16 ([\d.]+) us", line)
        if m:
            torch[("kn" if m.group(1) == "torch-kn" else "nk", m.group(2))] = float(m.group(3))
    cfg = lambda c: ",".join(f"{k}={v}" for k, v in c.items())

    print("| template | M x N x K | us | TFLOP/s | torch.matmul us | % of cuBLAS | config |")
    print("|---|---|---|---|---|---|---|")
    for (template, shape, dtype), (us, config) in sorted(best.items()):
        if not template.startswith("gemm"):
            continue
        m, n, k = (int(x) for x in shape.split("x"))
        ref = torch.get(("kn" if template.endswith("_kn") else "nk", shape))
        pct = f"{100 * ref / us:.1f}%" if ref else "-"
        print(f"| {template} | {shape} | {us:.1f} | {2 * m * n * k / us / 1e6:.0f} | {ref or '-'} | {pct} | {cfg(config)} |")

    print()
    print("| template | shape | dtype | us | GB/s | copy us (same bytes) | % of copy | config |")
    print("|---|---|---|---|---|---|---|---|")
    for (template, shape, dtype), (us, config) in sorted(best.items()):
        if template != "transpose":
            continue
        r, c = (int(x) for x in shape.split("x"))
        copy = best.get(("copy", str(r * c), dtype))
        copy_us = copy[0] if copy else None
        pct = f"{100 * copy_us / us:.1f}%" if copy_us else "-"
        print(f"| transpose | {shape} | {dtype} | {us:.1f} | {2 * r * c * SIZES[dtype] / us / 1e3:.0f} | "
              f"{f'{copy_us:.1f}' if copy_us else '-'} | {pct} | {cfg(config)} |")


if __name__ == "__main__":
    main()
