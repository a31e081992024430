"""gemm_splitk's recorded results (sweeps, tunes) as search_quality reads them
today: configs recorded before SWAP_AB, CLUSTER_M, CLUSTER_N and MIN_BLOCKS
existed take the values they ran with (0, 1, 1, 1), in the manifest's order,
so they match the configs the current space enumerates.
Usage: python3 splitk_spaces.py OUT_DIR DOCUMENT.json[.gz] ...
       build/search_quality --model-only OUT_DIR/*.json"""
import gzip
import json
import os
import sys

RECORDED_AS = {"SWAP_AB": 0, "CLUSTER_M": 1, "CLUSTER_N": 1, "MIN_BLOCKS": 1}
ORDER = ["BM", "BN", "BK", "STAGES", "CONSUMERS", "SWIZZLE", "GROUP_M", "SPLIT_K", "MIN_BLOCKS", "SWAP_AB",
         "CLUSTER_M", "CLUSTER_N"]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for src in sys.argv[2:]:
        doc = json.load(gzip.open(src) if src.endswith(".gz") else open(src))
        results = [r for r in doc["results"] if r["template"] == "gemm_splitk"]
        for r in results:
            config = {**RECORDED_AS, **r["config"]}
            r["config"] = {k: config[k] for k in ORDER}
        doc["results"] = results
        # bench/results/<date>/<run>/tune-x.json.gz -> <date>_<run>_tune-x.json
        name = os.path.relpath(src, "bench/results").replace(os.sep, "_").removesuffix(".gz")
        with open(os.path.join(out, name), "w") as f:
            json.dump(doc, f)
        print(f"{name}: {len(results)} results")


if __name__ == "__main__":
    main()
