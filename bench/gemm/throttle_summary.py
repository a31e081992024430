#!/usr/bin/env python3
"""Throttling in tkbench results documents: per document, the timings still
throttled after resting, the samples dropped and the seconds rested (the
throttle guard's `throttle` fields), the samples whose clock the in-stream
probe read (the rest: NVML after the sample), the lowest SM clock; for a
bench document each shape's % of cuBLAS with both clocks.

    python3 bench/gemm/throttle_summary.py bench.json tune.json ...
"""
import json
import sys


def timings(doc):
    for r in doc.get("results", []):
        t = (r.get("measurement") or {}).get("timing")
        if r.get("status") == "ok" and t:
            yield r, t


def clocks(t):
    c = t["sm_clock_mhz"]
    return f"{c['start']}/{c['end']}"


def main(paths):
    print("| document | timings | throttled | with dropped samples | samples dropped | rested s | samples clocked in stream | lowest clock kept |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    docs = []
    for path in paths:
        try:
            doc = json.load(open(path))
        except (OSError, ValueError) as e:
            print(f"| {path} | unreadable: {e} | | | | | | |")
            continue
        docs.append((path, doc))
        ts = [t for _, t in timings(doc)] + [b["measurement"]["timing"] for b in doc.get("baselines") or []
                                             if (b.get("measurement") or {}).get("timing")]
        guard = [t.get("throttle", {}) for t in ts]
        low = min((min(t["sm_clock_mhz"]["start"], t["sm_clock_mhz"]["end"]) for t in ts), default=0)
        print(f"| {path.split('/')[-1]} | {len(ts)} | {sum(t['throttled'] for t in ts)} | "
              f"{sum(g.get('dropped_samples', 0) > 0 for g in guard)} | {sum(g.get('dropped_samples', 0) for g in guard)} | "
              f"{sum(g.get('rest_s', 0) for g in guard):.2f} | "
              f"{sum(t['sm_clock_mhz'].get('samples_in_stream', 0) for t in ts)} of "
              f"{sum(t['samples'] + t.get('throttle', {}).get('dropped_samples', 0) for t in ts)} | {low} MHz |")
    for path, doc in docs:
        baselines = {json.dumps(b["problem"], sort_keys=True): b for b in doc.get("baselines") or []}
        rows = []
        for r, t in timings(doc):
            b = baselines.get(json.dumps(r["problem"], sort_keys=True))
            bt = (b or {}).get("measurement", {}).get("timing") if b else None
            if not bt or "shape" not in r["problem"]:
                continue
            rows.append(f"| {r['problem']['shape']} | {t['median_us']:.1f} ({clocks(t)}) | {bt['median_us']:.1f} ({clocks(bt)}) | "
                        f"{100 * bt['median_us'] / t['median_us']:.1f}% |")
        if rows:
            print(f"\n{path.split('/')[-1]}: ours and cuBLAS, µs (SM MHz at the first kept sample / the last)\n")
            print("| shape | ours | cuBLAS | % of cuBLAS |\n|---|--:|--:|--:|")
            print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
