"""One table from bench/thunderkittens/run.sh's $RUN: per shape, ThunderKittens'
own benchmark time of (2,4,8), tkbench's time of the same config (goal: within
2%), the tuned best and what tuning gained, and % of cuBLAS (tkbench's
[baseline]: cuBLASLt in the same worker; torch.matmul beside it as a cross-check)."""
import json
import re
import sys
from pathlib import Path

DEFAULT = {"M_BLOCK": 2, "N_BLOCK": 4, "SUPER_M": 8}


def flops(shape):
    m, n, k = (int(x) for x in shape.split("x"))
    return 2 * m * n * k


def documents(path):
    """Every JSON document in a file (bench --json prints one per shape or one in all)."""
    text = path.read_text() if path.exists() else ""
    decoder, pos, out = json.JSONDecoder(), 0, []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return out
        doc, pos = decoder.raw_decode(text, pos)
        out.append(doc)


def ok_times(docs):
    """(shape, config dict, median us, % of the roof if known) for each verified, timed result."""
    for doc in docs:
        for r in doc.get("results", []):
            t = (r.get("measurement") or {}).get("timing") or {}
            if r.get("status") != "ok" or "median_us" not in t:
                continue
            yield r["problem"]["shape"], r.get("config", {}), t["median_us"]


def main():
    run = Path(sys.argv[1])
    tk = {}
    shape = None
    for line in (run / "tk.txt").read_text().splitlines() if (run / "tk.txt").exists() else []:
        m = re.search(r"M=(\d+) N=(\d+) K=(\d+)", line)
        if m:
            shape = f"{m.group(1)}x{m.group(2)}x{m.group(3)}"
        m = re.search(r"Average kernel execution time: ([\d.]+) us", line)
        if m and shape:
            tk[shape] = float(m.group(1))
    default = {s: us for s, c, us in ok_times(documents(run / "bench.json")) if c == DEFAULT}
    hot = {s: us for s, c, us in ok_times(documents(run / "bench-hot.json")) if c == DEFAULT}
    best = {}
    tune_docs = documents(run / "tune.json")
    for s, c, us in ok_times(tune_docs):
        if s not in best or us < best[s][0]:
            best[s] = (us, c)
        if c == DEFAULT and s not in default:
            default[s] = us
    # cuBLAS as tkbench's [baseline] timed it: same worker, same buffers, same timer.
    same_run = {}
    for doc in documents(run / "bench.json") + tune_docs:
        for b in doc.get("baselines", []):
            t = (b.get("measurement") or {}).get("timing") or {}
            if b.get("status") == "ok" and "median_us" in t:
                same_run.setdefault(b["problem"]["shape"], t["median_us"])
    torch = {}
    for line in (run / "torch.txt").read_text().splitlines() if (run / "torch.txt").exists() else []:
        m = re.match(r"torch (\S+) bfloat16 ([\d.]+) us", line)
        if m:
            torch[m.group(1)] = float(m.group(2))
    print("| M x N x K | TK own (2,4,8) us | tkbench (2,4,8) us | vs TK | L2 hot us | vs TK | tuned us | TFLOP/s | config | tuning gain | cuBLAS us (same run) | % of cuBLAS | torch.matmul us |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    shapes = sorted(set(tk) | set(default) | set(hot) | set(best) | set(same_run) | set(torch), key=flops, reverse=True)
    fmt = lambda x, f="{:.1f}": f.format(x) if x is not None else "-"
    for s in shapes:
        own, d, h, c, t = tk.get(s), default.get(s), hot.get(s), same_run.get(s), torch.get(s)
        b, cfg = best.get(s, (None, {}))
        row = [s, fmt(own), fmt(d), fmt(100 * (d / own - 1), "{:+.1f}%") if d and own else "-",
               fmt(h), fmt(100 * (h / own - 1), "{:+.1f}%") if h and own else "-", fmt(b),
               fmt(flops(s) / b / 1e6, "{:.0f}") if b else "-",
               "(" + ",".join(str(cfg.get(k, "?")) for k in DEFAULT) + ")" if cfg else "-",
               fmt(100 * (d / b - 1), "{:+.1f}%") if d and b else "-", fmt(c), fmt(100 * c / b, "{:.1f}%") if b and c else "-", fmt(t)]
        print("| " + " | ".join(row) + " |")
    print("\nvs TK: tkbench's time of (2,4,8) against ThunderKittens' own benchmark (goal: within 2%); tkbench's default")
    print("flushes L2 before each launch, ThunderKittens' loop runs back to back (the 'L2 hot' column's terms).")
    print("tuning gain: how much faster the tuned best is than (2,4,8) in tkbench's own timing (goal: >= 0).")


if __name__ == "__main__":
    main()
