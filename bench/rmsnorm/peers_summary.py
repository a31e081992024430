#!/usr/bin/env python3
"""tkbench's tuned best beside every peer of the same run (peers.py), per shape
and op: tkbench µs, each peer's µs, the best peer, "tkbench vs best peer"
(best peer's µs / tkbench's: above 1x tkbench is faster) and a marker where
tkbench is slower. Peers are read in the timing mode tkbench's result used
(graph or events) where both were taken. Where QuACK was not timed in this run,
its figures from the anchors (anchors_peers.md, a copy of ../shared/notes/anchors.md)
stand beside, marked as not from this run. The anchors were timed on an H200: a run
on another card sets tkbench's % of a copy of the same bytes (the size-aware roof)
beside QuACK's % of the H200's copy (tkbench's anchor % copy x its µs / QuACK's µs)
where the anchors give one, not µs beside µs.

Where tkbench is slower (than a peer of the run, or than QuACK's anchors), the
counters of its best config there (`tkbench profile --json`, in DIR/counters/)
follow the goal: the shortfall beside DRAM efficiency, DRAM throughput and
occupancy. --misses-out lists those configs for peers.sh to profile.

usage: peers_summary.py DIR [--anchors anchors.md] [--shapes MxN,...] [--misses-out FILE] > summary.md
DIR holds tkbench results documents (*.json), peers.jsonl and, optionally,
steps.tsv (step, exit code, seconds) written by peers.sh and counters/*.json.
"""
import argparse
import glob
import json
import os
import re

from miss_counters import print_counters, read_counters, write_misses

OPS = ("rmsnorm", "add_rmsnorm")
PEER_LABELS = {"eager": "eager", "compiled": "torch.compile", "liger": "Liger", "quack": "QuACK"}
ANCHOR_PEER = "quack"  # the peer whose wheels do not travel in one call: the anchors stand in for it


def shape_key(shape):
    m, n = (int(v) for v in shape.split("x"))
    return (m > 32, n, m)  # decode first, then by hidden size and rows


def tkbench_best(directory):
    """(template, shape) -> best ok result, over every results document in directory."""
    best, devices = {}, {}
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        try:
            doc = json.load(open(path))
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or "results" not in doc or "device" not in doc:
            continue
        devices[doc["device"].get("uuid", doc["device"].get("name"))] = doc["device"]
        for r in doc["results"]:
            timing = (r.get("measurement") or {}).get("timing")
            if r.get("template") not in OPS or r.get("status") != "ok" or not timing:
                continue
            key = (r["template"], r["problem"]["shape"])
            if key not in best or timing["median_us"] < best[key]["measurement"]["timing"]["median_us"]:
                best[key] = r
    return best, devices


def read_peers(path):
    meta, rows = {}, {}
    if not os.path.exists(path):
        return meta, rows
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a line cut off by the time limit
        if "meta" in rec:
            meta = rec["meta"]
        else:
            rows[(rec["peer"], rec["op"], rec["shape"])] = rec
    return meta, rows


def numbers(text):
    """The figures of a cell made of numbers alone (a range "33.2-34.1" gives both); none for words."""
    return [float(v) for v in re.findall(r"\d+(?:\.\d+)?", text)] if re.match(r"^[\d.\-– ]+$", text) else []


def read_anchors(path):
    """(the anchors' GPU, shape -> (figure as written, fastest µs or None, % of copy or None)) for the
    anchor peer's column. QuACK's % of copy is derived from tkbench's row of the same run: tkbench's
    % copy x tkbench's µs / QuACK's (the fastest ends of ranges, the stricter bar)."""
    if not path or not os.path.exists(path):
        return None, {}
    lines = open(path, encoding="utf-8").read().splitlines()
    out, header, gpu = {}, None, None
    in_section = False
    for line in lines:
        if line.startswith("## "):
            in_section = line.startswith("## Same-run peers")
            if in_section:
                named = re.search(r"\bon an? (\S+)", line)
                gpu = named.group(1) if named else None
            header = None
            continue
        if not in_section or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if set(cells[0]) <= set("-: "):
            continue
        if ANCHOR_PEER not in header:
            return gpu, {}
        shape = cells[0].replace(" ", "")
        text = cells[header.index(ANCHOR_PEER)]
        us = min(numbers(text), default=None)  # a range: its fastest end, the stricter bar
        pct = None
        if us and "tkbench" in header and "% copy" in header:
            tk_us, tk_pct = min(numbers(cells[header.index("tkbench")]), default=None), numbers(cells[header.index("% copy")])
            if tk_us and tk_pct:
                pct = tk_pct[0] * tk_us / us
        out[shape] = (text, us, pct)
    return gpu, out


def peer_time(row, graph):
    """µs of a peer row in tkbench's timing mode where both modes were taken (its own choice where
    tkbench has no result: graph None), and whether it is a graph time."""
    if row.get("status") != "ok":
        return None, False
    if graph is not None and "graph_us" in row and "event_us" in row:
        return (row["graph_us"], True) if graph else (row["event_us"], False)
    return row["us"], row.get("graph", False)


def peer_cell(row, planned):
    if row is None:
        return "not reached" if planned else "-"
    status = row.get("status")
    if status == "ok":
        return None
    if status == "wrong":
        return f"wrong (err {row.get('rel_err', float('nan')):.2g})"
    return status or "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--anchors", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "anchors_peers.md"))
    ap.add_argument("--peers", help="peers.py's output (default DIR/peers.jsonl)")
    ap.add_argument("--shapes", default="", help="the planned shapes (MxN,...), for a run whose peers.py never started")
    ap.add_argument("--misses-out", help="write `template shape dtype config` for each shape where tkbench is slower")
    a = ap.parse_args()

    best, devices = tkbench_best(a.dir)
    meta, prow = read_peers(a.peers or os.path.join(a.dir, "peers.jsonl"))
    anchor_gpu, anchors = read_anchors(a.anchors)
    # Without peers.py's first line (it never started), the planned peers and shapes come from the caller.
    peers = meta.get("peers") or [p for p in os.environ.get("PEERS", ",".join(PEER_LABELS)).split(",") if p]
    planned_shapes = meta.get("shapes") or [s for s in a.shapes.split(",") if s]
    # The run's own order (shapes.toml's, then the extra shapes), then anything else found.
    shapes = list(dict.fromkeys(planned_shapes))
    shapes += sorted(({s for _, s in best} | {k[2] for k in prow}) - set(shapes), key=shape_key)

    gpu = meta.get("gpu") or next(iter(devices.values()), {}).get("name", "?")
    print(f"### tkbench vs peers — {gpu}\n")
    versions = ", ".join(f"{k} {meta[k]}" for k in ("torch", "triton", "liger", "quack") if meta.get(k))
    if versions:
        print(f"- versions: {versions}")
    for uuid, dev in devices.items():
        cal = dev.get("calibration") or {}
        print(f"- tkbench: {dev.get('name')} {uuid}, calibrated copy {cal.get('bandwidth', 0) / 1e12:.2f} TB/s")
    for name in peers:
        reasons = {r.get("error") for (p, _, _), r in prow.items() if p == name and r.get("status") == "missing"}
        if reasons:
            print(f"- {PEER_LABELS.get(name, name)} not in this run: {'; '.join(sorted(r or '?' for r in reasons))}")
    steps = os.path.join(a.dir, "steps.tsv")
    if os.path.exists(steps):
        failed = [ln.split("\t") for ln in open(steps).read().splitlines() if ln.count("\t") >= 2 and ln.split("\t")[1] != "0"]
        for step, rc, secs in (f[:3] for f in failed):
            print(f"- step `{step}` skipped: no time left" if rc == "skipped" else f"- step `{step}` exited {rc} after {secs} s")
    keys = [(op, shape) for op in OPS for shape in shapes
            if (op, shape) in best or shape in planned_shapes or any((p, op, shape) in prow for p in peers)]
    quack_ok = {(op, s) for (p, op, s), r in prow.items() if p == ANCHOR_PEER and r.get("status") == "ok"}
    anchored = any(k not in quack_ok for k in keys)  # QuACK not timed at some shape: the anchors stand in
    # Another card than the anchors': their µs are not this card's, their % of a copy on their card is.
    same_card = bool(anchor_gpu) and anchor_gpu in gpu
    if anchored and anchors:
        print(f"- QuACK (anchors): {os.path.basename(a.anchors)}'s figures from an {anchor_gpu or '?'} on 2026-12-01 "
              "(rmsnorm only), **from anchors, not this run**" + (
                  "" if same_card else f"; this run is on {gpu}, so tkbench's % of a copy of the same bytes on this card "
                  f"stands against QuACK's on the {anchor_gpu or '?'}, where the anchors give one"))
    print("\nbf16, µs a call; g = timed per call in a CUDA graph (tkbench graphs calls under 20 µs and decode, and each "
          "peer is read the same way). \"vs best peer\" = best peer's µs / tkbench's: above 1x tkbench is faster; "
          "❌ where tkbench is slower.\n")

    head = ["op", "shape", "tkbench"] + [PEER_LABELS.get(p, p) for p in peers] + ["best peer", "tkbench vs best peer"]
    if anchored and anchors:
        head += ["QuACK (from anchors, not this run)", "vs QuACK (anchors)" if same_card else "vs QuACK (anchors, % of copy)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" if i < 2 else "--:" for i in range(len(head))) + "|")
    misses, anchor_misses, no_tk, no_peer = [], [], [], []
    missed = []  # op, shape, the peer it is slower than, by how much, tkbench's result: for the counters
    g = lambda flag: " g" if flag else ""  # noqa: E731
    for op, shape in keys:
        r = best.get((op, shape))
        planned = shape in planned_shapes
        tk_us = r["measurement"]["timing"]["median_us"] if r else None
        tk_graph = bool(r["measurement"]["timing"].get("graph")) if r else None
        cells, times = [], {}
        for p in peers:
            row = prow.get((p, op, shape))
            text = peer_cell(row, planned)
            if text is None:
                us, graph = peer_time(row, tk_graph)
                times[p] = us
                text = f"{us:.2f}{g(graph)}"
            cells.append(text)
        if r is None:
            no_tk.append(f"{op} {shape}")
        if not times:
            no_peer.append(f"{op} {shape}")
        best_peer = min(times, key=times.get) if times else None
        ratio = times[best_peer] / tk_us if best_peer and tk_us else None
        slower = ratio is not None and ratio < 1
        if slower:
            by = f"{100 * (tk_us / times[best_peer] - 1):.1f}%"
            misses.append(f"{op} {shape}: {tk_us:.2f} µs vs {PEER_LABELS.get(best_peer, best_peer)} "
                          f"{times[best_peer]:.2f} µs ({by} slower)")
            missed.append({"op": op, "shape": shape, "against": PEER_LABELS.get(best_peer, best_peer), "result": r, "by": by})
        line = [op, shape, f"{tk_us:.2f}{g(tk_graph)}" if tk_us else "no result"] + cells
        line += [PEER_LABELS.get(best_peer, best_peer) if best_peer else "none timed",
                 (f"{ratio:.2f}x" + (" ❌" if slower else "")) if ratio else "-"]
        if anchored and anchors:
            text, us, pct = (anchors.get(shape, ("-", None, None)) if op == "rmsnorm" and (op, shape) not in quack_ok
                             else ("-", None, None))
            aratio, acell = None, "-"
            behind = None  # where tkbench is behind the anchors: (in words, the shortfall)
            if same_card and us and tk_us:
                aratio = us / tk_us
                if aratio < 1:
                    by = f"{100 * (tk_us / us - 1):.1f}%"
                    behind = (f"{shape}: {tk_us:.2f} µs vs {us:.2f} µs ({by} slower)", by)
                acell = f"{aratio:.2f}x" + (" ❌" if aratio < 1 else "")
            elif not same_card and us:
                # The anchors' % copy is against a copy of the same bytes: the size-aware roof, where there is one.
                figures = (r or {}).get("figures") or {}
                tk_pct = figures.get("pct_of_size_roof") or figures.get("pct_of_measured_bandwidth")
                if pct and tk_pct:
                    aratio = tk_pct / pct
                    if aratio < 1:
                        behind = (f"{shape}: {tk_pct:.1f}% of the copy vs {pct:.1f}%", f"{pct - tk_pct:.1f} points of copy")
                    acell = f"{tk_pct:.1f}% vs {pct:.1f}%: {aratio:.2f}x" + (" ❌" if aratio < 1 else "")
                else:
                    acell = f"- (µs from an {anchor_gpu or '?'})"
            if behind:
                anchor_misses.append(behind[0])
                missed.append({"op": op, "shape": shape, "against": "QuACK (anchors)", "result": r, "by": behind[1]})
            line += [text, acell]
        print("| " + " | ".join(line) + " |")

    print("\n#### Goal (issue 18): tkbench tuned ≥ the best peer of this run at every shape\n")
    # Met only where every row has both sides: a shape nobody timed proves nothing.
    print(f"- {'✅' if not misses and not no_tk and not no_peer else '❌'} {len(misses)} shape(s) where tkbench is slower"
          + (": " + "; ".join(misses) if misses else ""))
    if no_tk:
        print(f"- ❌ no tkbench result (tune not run, cut off or failed): {', '.join(no_tk)}")
    if no_peer:
        print(f"- ❌ no peer timed (peers.py not run, cut off, or every peer failed): {', '.join(no_peer)}")
    if anchored and anchors:
        print(f"- QuACK from anchors, not this run: {len(anchor_misses)} rmsnorm shape(s) where tkbench is slower"
              + ("" if same_card else " (by % of each card's copy)") + (": " + "; ".join(anchor_misses) if anchor_misses else ""))

    if missed:
        print_counters(missed, read_counters(a.dir))
    if a.misses_out:
        write_misses(a.misses_out, missed)


if __name__ == "__main__":
    main()
