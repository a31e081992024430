#!/usr/bin/env python3
"""ab_compare.sh's table: for each case, A's and B's median time over their two
benches, B over A, and each one's % of cuBLAS (cuBLAS timed in the same worker)."""
import json
import os
import statistics
import sys


def result(path):
    """(our median µs, cuBLAS median µs or None, passed) of one bench --json, or None."""
    try:
        doc = json.load(open(path))
    except (OSError, ValueError):
        return None
    def timing(entries):
        m = (entries[0].get("measurement") or {}) if entries else {}
        return (m.get("timing") or {}).get("median_us"), (m.get("verification") or {}).get("passed")
    ours, passed = timing(doc.get("results", []))
    base, _ = timing(doc.get("baselines", []))
    return (ours, base, passed) if ours else None


def main(run):
    cases = [l.split() for l in open(os.path.join(run, "cases.txt")) if l.strip() and not l.startswith("#")]
    print("| # | template | shape | A µs | B µs | B / A | A % of cuBLAS | B % of cuBLAS | verified |")
    print("|--:|---|---|--:|--:|--:|--:|--:|---|")
    ratios = []
    for i, (template, shape, _config) in enumerate(cases, 1):
        cols = {}
        for side in "ab":
            got = [result(os.path.join(run, f"{side}-{i}-{r}.json")) for r in (1, 2)]
            got = [g for g in got if g]
            if not got:
                cols[side] = None
                continue
            ours = statistics.median(g[0] for g in got)
            pct = [g[1] / g[0] * 100 for g in got if g[1]]
            cols[side] = (ours, statistics.median(pct) if pct else None, all(g[2] for g in got))
        a, b = cols["a"], cols["b"]
        fmt = lambda x, f: f.format(x) if x is not None else "-"
        ratio = b[0] / a[0] if a and b else None
        if ratio:
            ratios.append(ratio)
        print(f"| {i} | {template} | {shape} | {fmt(a and a[0], '{:.2f}')} | {fmt(b and b[0], '{:.2f}')} | "
              f"{fmt(ratio, '{:.3f}')} | {fmt(a and a[1], '{:.1f}%')} | {fmt(b and b[1], '{:.1f}%')} | "
              f"{'yes' if a and b and a[2] and b[2] else 'NO'} |")
    if ratios:
        print(f"\nB over A, geometric mean of {len(ratios)} cases: "
              f"{statistics.geometric_mean(ratios):.3f} (below 1: B is faster)")


if __name__ == "__main__":
    main(sys.argv[1])
