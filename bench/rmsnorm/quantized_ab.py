#!/usr/bin/env python3
"""quantized_ab.sh's tables, from its run folder: each case's A and B medians
(two benches each, A B B A) with B over A and % of the calibrated copy; B's
decode tunes, best overall and best per PREFETCH value; the counters of A and B.
`--case I` prints case I's line only (as the run goes)."""
import glob
import json
import os
import statistics
import sys


def load(path):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return None


def first_result(doc):
    return (doc or {}).get("results", [None])[0] if doc and doc.get("results") else None


def median_us(r):
    return ((r or {}).get("measurement") or {}).get("timing", {}).get("median_us")


def passed(r):
    return (((r or {}).get("measurement") or {}).get("verification") or {}).get("passed")


def cases(run):
    return [l.split() for l in open(os.path.join(run, "cases.txt")) if l.strip() and not l.startswith("#")]


def case_line(run, i, case):
    cols = {}
    for side in "ab":
        rs = [first_result(load(os.path.join(run, f"ab-{i}-{side}-{k}.json"))) for k in (1, 2)]
        times = [median_us(r) for r in rs if median_us(r)]
        ok = all(passed(r) for r in rs if r) and len(times) == 2
        pct = [r["figures"].get("pct_of_measured_bandwidth") for r in rs if r and r.get("figures")]
        cols[side] = (statistics.mean(times) if times else None, ok, statistics.mean(pct) if pct else None, times)
    (a, a_ok, a_pct, a_t), (b, b_ok, b_pct, b_t) = cols["a"], cols["b"]
    fmt = lambda v, f: f.format(v) if v is not None else "-"
    ratio = fmt(b / a if a and b else None, "{:.3f}")
    return (f"| {i} | {case[0]} | {case[1]} | {fmt(a, '{:.2f}')} ({', '.join(f'{t:.2f}' for t in a_t)}) | "
            f"{fmt(b, '{:.2f}')} ({', '.join(f'{t:.2f}' for t in b_t)}) | {ratio} | {fmt(a_pct, '{:.1f}')} | "
            f"{fmt(b_pct, '{:.1f}')} | {'yes' if a_ok and b_ok else 'NO'} |")


HEADER = ("| # | template | shape | A µs (runs) | B µs (runs) | B / A | A % of copy | B % of copy | verified |\n"
          "|--:|---|---|--:|--:|--:|--:|--:|---|")


def tunes(run):
    out = ["| template | shape | best µs | % of size roof | best config | best PREFETCH 0 µs | best PREFETCH 1 µs | configs |",
           "|---|---|--:|--:|---|--:|--:|--:|"]
    for path in sorted(glob.glob(os.path.join(run, "tune-*.json"))):
        doc = load(path)
        if not doc:
            continue
        by_shape = {}
        for r in doc.get("results", []):
            if r.get("status") == "ok" and median_us(r):
                by_shape.setdefault(r["problem"]["shape"], []).append(r)
        for shape, rs in sorted(by_shape.items(), key=lambda kv: int(kv[0].split("x")[0])):
            best = min(rs, key=median_us)
            per = {p: min((median_us(r) for r in rs if r["config"].get("PREFETCH") == p), default=None) for p in (0, 1)}
            cfg = ",".join(f"{k}={v}" for k, v in best["config"].items())
            size = (best.get("figures") or {}).get("pct_of_size_roof")
            out.append(f"| {best['template']} | {shape} | {median_us(best):.2f} | {size:.1f} | {cfg} | "
                       + " | ".join(f"{per[p]:.2f}" if per[p] else "-" for p in (0, 1)) + f" | {len(rs)} |")
    return "\n".join(out)


def counters(run):
    out = ["| # | side | template | shape | µs | DRAM read MB | DRAM write MB | ideal MB | DRAM efficiency | DRAM % |",
           "|--:|---|---|---|--:|--:|--:|--:|--:|--:|"]
    for path in sorted(glob.glob(os.path.join(run, "profile-*.json"))):
        r = first_result(load(path))
        if not r:
            continue
        i, side = os.path.basename(path)[len("profile-"):-len(".json")].split("-")
        vals = dict(((r.get("measurement") or {}).get("counters") or {}).get("values", {}))
        f = r.get("figures") or {}
        mb = lambda v: f"{v / 1e6:.1f}" if v is not None else "-"
        pick = lambda key: next((v for k, v in vals.items() if key in k), None)
        eff, pct = f.get("dram_efficiency"), f.get("dram_throughput_pct")
        out.append(f"| {i} | {side} | {r['template']} | {r['problem']['shape']} | {median_us(r) or 0:.1f} | "
                   f"{mb(pick('dram__bytes_read'))} | {mb(pick('dram__bytes_write'))} | {mb(f.get('ideal_bytes'))} | "
                   f"{eff * 100 if eff and eff <= 2 else (eff or 0):.1f}% | {pct or 0:.1f} |")
    return "\n".join(out)


def main(argv):
    run = argv[1]
    cs = cases(run)
    if len(argv) > 3 and argv[2] == "--case":
        i = int(argv[3])
        print(case_line(run, i, cs[i - 1]))
        return
    print(open(os.path.join(run, "gpu.txt")).read().strip() if os.path.exists(os.path.join(run, "gpu.txt")) else "")
    print("\nA = the build as committed, B = the change; each benched twice, in the order A B B A.\n")
    print(HEADER)
    for i, c in enumerate(cs, 1):
        print(case_line(run, i, c))
    print("\nB tuned at decode (graph timing):\n")
    print(tunes(run))
    print("\nCounters (CUPTI, one launch each):\n")
    print(counters(run))


if __name__ == "__main__":
    main(sys.argv)
