"""One table from bench/gemm/run.sh's $RUN: per shape, tkbench's best time
(bench and tune results) against torch.matmul's, as TFLOP/s and % of cuBLAS."""
import json
import re
import sys
from pathlib import Path


def documents(path):
    """bench --json documents, pretty-printed one after another in one file."""
    text, decoder, pos = path.read_text(), json.JSONDecoder(), 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        doc, pos = decoder.raw_decode(text, pos)
        yield doc


def flops(shape):
    m, n, k = (int(x) for x in shape.split("x"))
    return 2 * m * n * k


def main():
    run = Path(sys.argv[1])
    best = {}
    docs = []
    if (run / "gemm-tune.json").exists():
        docs.append(json.loads((run / "gemm-tune.json").read_text()))
    if (run / "bench.jsonl").exists():
        docs.extend(documents(run / "bench.jsonl"))
    for doc in docs:
        for r in doc.get("results", []):
            t = (r.get("measurement") or {}).get("timing") or {}
            if r.get("status") != "ok" or "median_us" not in t:
                continue
            shape = r["problem"]["shape"]
            if shape not in best or t["median_us"] < best[shape][0]:
                best[shape] = (t["median_us"], r["config"])
    torch = {}
    for line in (run / "torch.txt").read_text().splitlines() if (run / "torch.txt").exists() else []:
        m = re.match(r"torch (\S+) bfloat16 ([\d.]+) us", line)
        if m:
            torch[m.group(1)] = float(m.group(2))
    print("| M x N x K | tkbench us | TFLOP/s | cuBLAS us | TFLOP/s | % of cuBLAS | config |")
    print("|---|---|---|---|---|---|---|")
    for shape in sorted(set(best) | set(torch), key=flops, reverse=True):
        t, cfg = best.get(shape, (None, {}))
        c = torch.get(shape)
        row = [shape, f"{t:.1f}" if t else "-", f"{flops(shape) / t / 1e6:.0f}" if t else "-",
               f"{c:.1f}" if c else "-", f"{flops(shape) / c / 1e6:.0f}" if c else "-",
               f"{100 * c / t:.1f}%" if t and c else "-", ",".join(f"{k}={v}" for k, v in cfg.items())]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
