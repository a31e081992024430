#!/usr/bin/env python3
"""% of cuBLAS per shape (rows) and variant (columns) from `bench --json`
documents named bench-VARIANT.json; cuBLAS is each document's own baseline
(same worker, same timer), so every ratio is a same-run ratio."""
import json
import pathlib
import statistics
import sys


def median_us(entry):
    return entry["measurement"]["timing"]["median_us"] if entry and entry.get("status") == "ok" else None


def main(paths):
    table, shapes, names = {}, [], []
    for path in paths:
        name = pathlib.Path(path).stem.removeprefix("bench-")
        try:
            doc = json.load(open(path))
        except (OSError, ValueError) as e:
            print(f"{name}: unreadable ({e})")
            continue
        names.append(name)
        library = {b["problem"]["shape"]: median_us(b) for b in doc.get("baselines", [])}
        for r in doc.get("results", []):
            shape = r["problem"]["shape"]
            if shape not in shapes:
                shapes.append(shape)
            t, lib = median_us(r), library.get(shape)
            d = r["problem"]["dims"]
            tflops = 2 * d["M"] * d["N"] * d["K"] / t / 1e6 if t else None
            table[shape, name] = (t, lib, tflops, r.get("status"))
    print("| shape | " + " | ".join(names) + " |")
    print("|---|" + "--:|" * len(names))
    for shape in shapes:
        cells = []
        for name in names:
            t, lib, tflops, status = table.get((shape, name), (None, None, None, "missing"))
            cells.append(f"{100 * lib / t:.1f}% ({t:.1f} µs, {tflops:.0f} TF/s)" if t and lib else str(status))
        print(f"| {shape} | " + " | ".join(cells) + " |")
    # Issue 17's LLM shapes: M in {4096, 8192, 16384} x (N, K) below; 4096^3 is one of them.
    nk = {(4096, 4096), (14336, 4096), (4096, 14336), (18432, 7168), (7168, 16384)}
    def is_llm(shape):
        m, n, k = (int(v) for v in shape.split("x"))
        return m in (4096, 8192, 16384) and (n, k) in nk
    for name in names:
        for label, chosen in (("M = 8192", [s for s in shapes if is_llm(s) and s.startswith("8192x")]),
                              ("all M", [s for s in shapes if is_llm(s)])):
            ratios = [table[s, name][1] / table[s, name][0] for s in chosen
                      if (s, name) in table and table[s, name][0] and table[s, name][1]]
            if ratios:
                print(f"{name}: median % of cuBLAS over {len(ratios)} LLM shapes ({label}): {100 * statistics.median(ratios):.1f}%")

if __name__ == "__main__":
    main(sys.argv[1:])
