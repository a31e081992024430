"""The counters beside each missed goal, for peers_summary.py and family_summary.py:
the configs to profile (`template shape dtype config` lines, which the device
scripts' profile_misses runs `tkbench profile --json` on into DIR/counters/) and
one table of what those counters show next to the shortfall.

A miss is a dict: op, shape, against (the peer or goal missed), by (the
shortfall, in words), result (tkbench's best result there, from a results
document).
"""
import glob
import json
import os


def config_text(config):
    return ",".join(f"{k}={v}" for k, v in config.items())


def read_counters(directory):
    """(template, shape, config) -> a profiled result with counters, from DIR/counters/*.json."""
    out = {}
    for path in sorted(glob.glob(os.path.join(directory, "counters", "*.json"))):
        try:
            doc = json.load(open(path))
        except (OSError, ValueError):
            continue
        for r in doc.get("results", []) if isinstance(doc, dict) else []:
            if r.get("status") == "ok" and (r.get("measurement") or {}).get("counters"):
                out[(r["template"], r["problem"]["shape"], config_text(r["config"]))] = r
    return out


def write_misses(path, missed):
    """One `template shape dtype config` line per missed result (each once)."""
    with open(path, "w") as out:
        for key in dict.fromkeys((m["result"]["template"], m["shape"], m["result"]["problem"]["dtype"],
                                  config_text(m["result"]["config"])) for m in missed):
            out.write(" ".join(key) + "\n")


def print_counters(missed, counters, against="slower than"):
    """What the counters say at each miss: the shortfall beside them."""
    print("\n#### Counters at the misses (tkbench's best config there, `tkbench profile`)\n")
    print(f"| op | shape | {against} | by | % of size roof | DRAM efficiency | DRAM % of peak | occupancy "
          "(achieved / theoretical) | registers, spills | config |")
    print("|---|---|---|--:|--:|--:|--:|--:|---|---|")
    pct = lambda v, scale=1: f"{scale * v:.1f}%" if v is not None else "-"  # noqa: E731
    for m in missed:
        r = m["result"]
        config = config_text(r["config"])
        c = counters.get((r["template"], r["problem"]["shape"], config))
        if c is None:
            print(f"| {m['op']} | {m['shape']} | {m['against']} | {m['by']} | | | | | | {config}: not profiled |")
            continue
        f = c.get("figures") or {}
        res = (c.get("compile") or {}).get("resources") or {}
        spills = res.get("spill_store_bytes", 0) + res.get("spill_load_bytes", 0)
        roof = pct(f.get("pct_of_size_roof")) + (" (latency-bound)" if f.get("latency_bound") else "")
        print(f"| {m['op']} | {m['shape']} | {m['against']} | {m['by']} | {roof} | {pct(f.get('dram_efficiency'), 100)} | "
              f"{pct(f.get('dram_throughput_pct'))} | {pct(f.get('achieved_occupancy'), 100)} / "
              f"{pct(f.get('theoretical_occupancy'), 100)} | {res.get('registers', '?')}, {spills} B | {config} |")
