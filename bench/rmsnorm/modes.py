#!/usr/bin/env python3
"""Which kernel paths win: for each shape of tkbench results documents, the
best time of each rmsnorm-family kernel path (row in registers / re-read /
shared memory / split between registers and shared memory, how w is loaded,
cluster split) as % of the calibrated copy,
and the overall best config. Reads documents only; no GPU.

usage: modes.py RESULTS.json [RESULTS.json ...]
"""
import json
import sys


def mode(cfg):
    staged, in_registers = cfg.get("ROW_SMEM", 0) != 0, cfg.get("ITEMS", 0) > 0
    row = ("split" if in_registers else "shared") if staged else ("registers" if in_registers else "re-read")
    return f"{row:9s} w{cfg.get('WLOAD', 0)} c{cfg.get('CLUSTER', 1)}"


for path in sys.argv[1:]:
    doc = json.load(open(path))
    bw = (doc["device"].get("calibration") or {}).get("bandwidth", 0)
    shapes = {}
    failed = {}
    for r in doc["results"]:
        key = (r["template"], r["problem"]["shape"], r["problem"]["dtype"])
        if r["status"] != "ok" or not (r.get("measurement") or {}).get("timing"):
            failed.setdefault(key, []).append(f"{r['status']}: {r['config']} {r.get('reason', '')[:120]}")
            continue
        us = r["measurement"]["timing"]["median_us"]
        pct = 100 * r["figures"]["ideal_bytes"] / (us * 1e-6) / bw if bw else 0
        best = shapes.setdefault(key, {})
        m = mode(r["config"])
        if m not in best or us < best[m][0]:
            best[m] = (us, pct, r["config"])
    for key, best in shapes.items():
        n_failed = len(failed.get(key, []))
        print(f"\n{key[0]} {key[1]} {key[2]}: {sum(1 for _ in best)} paths, {n_failed} failed")
        for m, (us, pct, cfg) in sorted(best.items(), key=lambda kv: kv[1][0]):
            print(f"  {m}  {us:9.2f} us  {pct:6.1f}%  {','.join(f'{k}={v}' for k, v in cfg.items())}")
        for line in failed.get(key, [])[:5]:
            print("  FAILED", line)
