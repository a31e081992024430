#!/usr/bin/env python3
"""PyTorch composites of tkbench's quantized norms, timed as torch_baseline.py
times F.rms_norm (L2 flushed and CUDA events; decode and calls under 20 µs in a
CUDA graph over cold inputs), eager and torch.compile:

- rmsnorm_fp8:   y = rms_norm(x) * w; amax per row; scale = amax / 448;
                 codes = (y / scale) cast to float8_e4m3fn (saturated first)
- rmsnorm_mxfp8: the same with one scale per block of 32 along the row,
                 2^ceil(log2(amax / 448)) (the MXFP8 recipe's rounding up,
                 as tkbench's rmsnorm_mxfp8), the exponent stored as uint8 + 127
- add_*:         s = x + r first; s is returned too.
The composite is what a user writes: rms_norm (bf16 out), then amax, scale and
cast in fp32. Dequantized outputs are checked against float64 before timing.

usage: torch_quantized.py OUT.json SHAPE [SHAPE ...]   (SHAPE = MxN; MX ops need N % 32 == 0)
OPS (environment, comma-separated, default all four) keeps only those composites.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

from torch_baseline import EPS, L2, dev, props, time_cold, time_graph

FP8_MAX = 448.0


def _norm(x, w):
    return F.rms_norm(x, (x.shape[-1],), w, EPS).float()


def _fp8_rowwise(y):
    amax = y.abs().amax(-1, keepdim=True)
    scale = amax / FP8_MAX
    inv = torch.where(amax > 0, FP8_MAX / amax, torch.zeros_like(amax))
    return (y * inv).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn), scale.squeeze(-1)


def _mxfp8(y):
    m, n = y.shape
    blocks = y.view(m, n // 32, 32)
    amax = blocks.abs().amax(-1, keepdim=True)
    e = torch.ceil(torch.log2(amax / FP8_MAX)).clamp(-127, 127)
    e = torch.where(amax > 0, e, torch.full_like(e, -127.0))
    codes = (blocks * torch.exp2(-e)).clamp(-FP8_MAX, FP8_MAX).to(torch.float8_e4m3fn).view(m, n)
    return codes, (e.squeeze(-1) + 127).to(torch.uint8)


def rmsnorm_fp8(x, w):
    return _fp8_rowwise(_norm(x, w))


def rmsnorm_mxfp8(x, w):
    return _mxfp8(_norm(x, w))


def add_rmsnorm_fp8(x, r, w):
    s = x + r
    return (*_fp8_rowwise(_norm(s, w)), s)


def add_rmsnorm_mxfp8(x, r, w):
    s = x + r
    return (*_mxfp8(_norm(s, w)), s)


OPS = {f.__name__: f for f in (rmsnorm_fp8, rmsnorm_mxfp8, add_rmsnorm_fp8, add_rmsnorm_mxfp8)}
COMPILED = {name: torch.compile(f) for name, f in OPS.items()}


def dequantized(op, out):
    codes, scales = out[0].float(), out[1]
    if "mx" in op:
        m, n = codes.shape
        return (codes.view(m, n // 32, 32) * torch.exp2(scales.float() - 127).unsqueeze(-1)).view(m, n)
    return codes * scales.unsqueeze(-1)


def check(op, fn, args):
    x = args[0].double() + (args[1].double() if op.startswith("add_") else 0)
    w = args[-1].double()
    ref = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * w
    y = dequantized(op, fn(*args)).double()
    err = ((y - ref).norm() / ref.norm()).item()
    if not err < 0.06:  # E4M3's rounding (3 mantissa bits) on top of a bf16 norm
        raise SystemExit(f"{op} {fn}: dequantized relative L2 error {err} against float64")


def main():
    out_path, shapes = sys.argv[1], sys.argv[2:]
    wanted = [o for o in os.environ.get("OPS", ",".join(OPS)).split(",") if o]
    unknown = [o for o in wanted if o not in OPS]
    if unknown:
        raise SystemExit(f"OPS: {', '.join(unknown)} not among {', '.join(OPS)}")
    rows = []
    for shape in shapes:
        m, n = (int(v) for v in shape.split("x"))
        for op, fn in OPS.items():
            if op not in wanted or ("mx" in op and n % 32):
                continue
            add = op.startswith("add_")
            scale_bytes = m * (n // 32) if "mx" in op else 4 * m
            call_bytes = (3 if add else 1) * m * n * 2 + m * n + scale_bytes + n * 2

            def make_args():
                x = torch.randn(m, n, dtype=torch.bfloat16, device=dev)
                w = torch.rand(n, dtype=torch.bfloat16, device=dev) + 0.5
                return (x, torch.randn(m, n, dtype=torch.bfloat16, device=dev), w) if add else (x, w)

            args = make_args()
            row = {"op": op, "shape": shape, "bytes": call_bytes}
            for mode, f in (("eager", fn), ("compiled", COMPILED[op])):
                check(op, f, args)
                cold_us = time_cold(f, args)
                row[mode + "_event_us"] = cold_us
                if m <= 32 or cold_us < 20:
                    us, _, _ = time_graph(f, make_args, call_bytes)
                    row[mode + "_graph_us"] = row[mode + "_us"] = us
                    row[mode + "_graph"] = True
                else:
                    row[mode + "_us"], row[mode + "_graph"] = cold_us, False
            print(f"torch {op:18s} {shape:>11s}: eager {row['eager_us']:9.2f} us, compiled {row['compiled_us']:9.2f} us"
                  f"{' (graph)' if row['compiled_graph'] else ''}", flush=True)
            rows.append(row)
            json.dump({"gpu": props.name, "torch": torch.__version__, "l2_bytes": L2, "results": rows},
                      open(out_path, "w"), indent=1)
            del args
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
