#!/usr/bin/env python3
"""One table for family.sh: each template's tuned best per shape (results
documents) against a copy of the same footprint timed in the same run
(copy-TEMPLATE-SHAPE.json, from `tkbench bench copy --json`), the copy bandwidth
tkbench calibrated on this GPU, and torch.compile of the same composite
(torch_quantized.py's JSON, for the quantized templates), with issue 18's goals.

Where a goal is missed, the counters of the best config there (DIR/counters/,
`tkbench profile --json`) follow the table; --misses-out FILE lists those configs
for family.sh to profile.

usage: family_summary.py DIR [--misses-out FILE]   (DIR holds *-tuned.json, copy-*.json,
torch-quantized.json; the tuned documents may be gzipped, as committed under bench/results/)
"""
import argparse
import glob
import gzip
import json
import os

from miss_counters import config_text, print_counters, read_counters, write_misses

MiB = 1 << 20


def median_us(doc):
    """The first timed median in a results document (tune or bench --json)."""
    for r in doc.get("results", []):
        t = ((r.get("measurement") or {}).get("timing") or {})
        if r.get("status", "ok") == "ok" and "median_us" in t:
            return t["median_us"]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--misses-out", help="write `template shape dtype config` for each shape that misses a goal")
    a = ap.parse_args()
    run = a.dir
    torch_rows = {}
    tq = os.path.join(run, "torch-quantized.json")
    if os.path.exists(tq):
        torch_rows = {(r["op"], r["shape"]): r for r in json.load(open(tq))["results"]}
    best, calibrated = {}, 0
    for path in sorted(glob.glob(os.path.join(run, "*-tuned.json")) + glob.glob(os.path.join(run, "*-tuned.json.gz"))):
        doc = json.load(gzip.open(path) if path.endswith(".gz") else open(path))
        calibrated = ((doc.get("device") or {}).get("calibration") or {}).get("bandwidth", calibrated)
        for r in doc["results"]:
            if r["status"] != "ok" or not (r.get("measurement") or {}).get("timing"):
                continue
            key = (r["template"], r["problem"]["shape"])
            if key not in best or r["measurement"]["timing"]["median_us"] < best[key]["measurement"]["timing"]["median_us"]:
                best[key] = r
    print(f"calibrated copy bandwidth: {calibrated / 1e12:.2f} TB/s\n")
    print("| template | shape | MiB moved | tkbench µs | % same-footprint copy | % calibrated copy | torch.compile µs | vs compile | goal | best config |")
    print("|---|---|--:|--:|--:|--:|--:|--:|---|---|")
    misses = 0
    missed = []  # each missed goal with its shortfall, for the counters
    for (template, shape), r in sorted(best.items()):
        m, n = (int(v) for v in shape.split("x"))
        t = r["measurement"]["timing"]
        us, ideal = t["median_us"], r["figures"]["ideal_bytes"]
        copy_path = os.path.join(run, f"copy-{template}-{shape}.json")
        copy_us = median_us(json.load(open(copy_path))) if os.path.exists(copy_path) else None
        pct_copy = 100 * copy_us / us if copy_us else None
        pct_cal = 100 * ideal / (us * 1e-6) / calibrated if calibrated else None
        tr = torch_rows.get((template, shape), {})
        comp = tr.get("compiled_us")
        quantized = "fp8" in template
        checks = []  # (goal, met, shortfall in words)
        if not quantized:
            checks.append(("≥90% of copy", pct_copy is not None and pct_copy >= 90,
                           f"{90 - pct_copy:.1f} points" if pct_copy is not None else "no copy timed"))
        else:
            if comp:
                checks.append(("faster than compile", us < comp, f"{100 * (us / comp - 1):.1f}% slower"))
            if m <= 32:
                checks.append(("≤2.5 µs (graph)", us <= 2.5, f"+{us - 2.5:.3f} µs"))
            if ideal >= 128 * MiB and pct_cal is not None:
                checks.append(("≥95% of calibrated copy", pct_cal >= 95, f"{95 - pct_cal:.1f} points"))
        goal_ok = all(ok for _, ok, _ in checks)
        goal = "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok, _ in checks) or "-"
        missed += [{"op": template, "shape": shape, "against": name, "by": by, "result": r}
                   for name, ok, by in checks if not ok]
        misses += not goal_ok
        cfg = config_text(r["config"])
        fmt = lambda v, spec: format(v, spec) if v is not None else "-"
        print(f"| {template} | {shape} | {ideal / MiB:.3g} | {us:.2f}{' g' if t.get('graph') else ''} | {fmt(pct_copy, '.1f')} | "
              f"{fmt(pct_cal, '.1f')} | {fmt(comp, '.2f')} | {f'{comp / us:.2f}x' if comp else '-'} | {goal} | {cfg} |")
    print(f"\n{misses} shape(s) miss a goal.")
    if missed:
        print_counters(missed, read_counters(run), against="goal missed")
    if a.misses_out:
        write_misses(a.misses_out, missed)


if __name__ == "__main__":
    main()
