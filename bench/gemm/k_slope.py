"""Time against K for one config and cuBLAS (ncu_compare.sh's tune at M x N x K
for several K): a least-squares line t = fixed + K * per_k for each, so a gap
shows as a fixed cost (launch, prologue, pipeline fill, epilogue) or as a
slower stream of k-blocks.
Usage: python3 k_slope.py tune.json"""
import json
import sys


def fit(points):
    n = len(points)
    mk = sum(k for k, _ in points) / n
    mt = sum(t for _, t in points) / n
    slope = sum((k - mk) * (t - mt) for k, t in points) / sum((k - mk) ** 2 for k, _ in points)
    return mt - slope * mk, slope


def main():
    doc = json.load(open(sys.argv[1]))
    ours = {r["problem"]["dims"]["K"]: r["measurement"]["timing"]["median_us"]
            for r in doc["results"] if r["status"] == "ok"}
    cublas = {b["problem"]["dims"]["K"]: b["measurement"]["timing"]["median_us"]
              for b in doc.get("baselines", []) if b.get("status") == "ok"}
    print("| K | ours µs | cuBLAS µs | % of cuBLAS |")
    print("|--:|--:|--:|--:|")
    for k in sorted(ours):
        c = cublas.get(k)
        print(f"| {k} | {ours[k]:.2f} | {c or 0:.2f} | {100 * c / ours[k]:.1f}% |" if c else f"| {k} | {ours[k]:.2f} | - | - |")
    for name, points in (("ours", ours), ("cuBLAS", cublas)):
        if len(points) >= 2:
            fixed, per_k = fit(sorted(points.items()))
            print(f"{name}: {fixed:.2f} µs fixed + {per_k * 1000:.3f} ns a unit of K")


if __name__ == "__main__":
    main()
