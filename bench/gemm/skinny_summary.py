"""gemm_splitk's sweep at the skinny shapes (skinny.sh): per shape, cuBLAS's
time (timed in the same worker), the best config and its % of cuBLAS, and the
best config of each SPLIT_K and of each block count (grid), so a table shows
which split and how many blocks the shape wants.
Usage: python3 skinny_summary.py sweep.json            (Markdown table)
       python3 skinny_summary.py sweep.json --best S1,S2  (shape:config pairs of the best, for `profile`)"""
import collections
import json
import sys


def main():
    doc = json.load(open(sys.argv[1]))
    cublas = {b["problem"]["shape"]: b["measurement"]["timing"]["median_us"]
              for b in doc.get("baselines", []) if b.get("status") == "ok"}
    # tkbench's own rule (reports/library_comparison.hpp): a library time spread over 20% is not trusted.
    noisy = {b["problem"]["shape"] for b in doc.get("baselines", [])
             if b.get("status") == "ok" and b["measurement"]["timing"].get("spread", 0) > 0.2}
    by_shape = collections.defaultdict(list)
    for r in doc["results"]:
        if r["status"] == "ok":
            by_shape[r["problem"]["shape"]].append(r)
    key = lambda r: r["measurement"]["timing"]["median_us"]
    config = lambda r: ",".join(f"{k}={v}" for k, v in r["config"].items())
    if "--best" in sys.argv:
        wanted = sys.argv[sys.argv.index("--best") + 1].split(",")
        print(" ".join(f"{s}:{config(min(by_shape[s], key=key))}" for s in wanted if by_shape[s]))
        return
    print("| shape | configs | cuBLAS µs | best µs | % of cuBLAS | best config | best of each SPLIT_K (µs) | best of each grid (µs) |")
    print("|---|--:|--:|--:|--:|---|---|---|")
    for shape, rs in by_shape.items():
        best = min(rs, key=key)
        splits, grids = {}, {}
        for r in rs:
            s, g = r["config"]["SPLIT_K"], r["compile"]["launch"]["grid"][0]
            splits[s] = min(splits.get(s, 1e9), key(r))
            grids[g] = min(grids.get(g, 1e9), key(r))
        c = cublas.get(shape)
        pct = f"{100 * c / key(best):.1f}%{' (noisy)' if shape in noisy else ''}" if c else "-"
        short = {k: v for k, v in best["config"].items() if k not in ("SWIZZLE", "CONSUMERS", "GROUP_M")}
        print(f"| {shape} | {len(rs)} | {c or 0:.2f} | {key(best):.2f} | {pct} | {short} | "
              + " ".join(f"{s}:{t:.1f}" for s, t in sorted(splits.items())) + " | "
              + " ".join(f"{g}:{t:.1f}" for g, t in sorted(grids.items())) + " |")


if __name__ == "__main__":
    main()
