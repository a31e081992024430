#!/usr/bin/env python3
"""The peers a tkbench user would otherwise call, on the terms of torch_baseline.py
(whose timing this reuses: L2 flushed by a read before each call and CUDA events,
calls under 20 µs and decode in a CUDA graph over cold inputs, random normal bf16
inputs, outputs checked against float64 first), for rmsnorm and add_rmsnorm:

- eager:    F.rms_norm (x + r first for add_rmsnorm)
- compiled: torch.compile of the same
- liger:    Liger-Kernel's Triton forward, LigerRMSNormFunction and
            LigerFusedAddRMSNormFunction (y and the sum s, as tkbench's add_rmsnorm)
- quack:    QuACK's rmsnorm_fwd (residual= for the fused add), only where it is
            importable (its wheels do not fit one device call; see bench/README.md)

One JSON line per (peer, op, shape), written as soon as it is known, so a run cut
off by its time limit keeps what it measured:
  {"peer", "op", "shape", "status": ok | wrong | error | missing, "us", "graph",
   "event_us", "graph_us", "rel_err", "error"}
"ok" rows only carry times; "wrong" means the output missed the float64 reference
(it is not timed). The first line, {"meta": {...}}, names the GPU, the versions and
the planned shapes and peers, so the summary can tell "not reached" from "absent".

usage: peers.py OUT.jsonl SHAPE [SHAPE ...]   (SHAPE = MxN; PEERS=eager,compiled,liger,quack picks peers)
"""
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # torch_baseline beside this file

import torch  # noqa: E402

from torch_baseline import (EPS, TOLERANCE, L2, add_rmsnorm, compiled_add_rmsnorm, compiled_rmsnorm,  # noqa: E402
                            make_inputs, props, rel_error, rmsnorm, time_like_tkbench)

OPS = ("rmsnorm", "add_rmsnorm")


def liger_peer():
    """Liger's forward functions (an ImportError says why there are none). The submodule paths are
    the plain Triton kernels: liger_kernel.ops would swap in another backend where one is installed."""
    from liger_kernel.ops.fused_add_rms_norm import LigerFusedAddRMSNormFunction
    from liger_kernel.ops.rms_norm import LigerRMSNormFunction

    return {"rmsnorm": lambda x, w: LigerRMSNormFunction.apply(x, w, EPS),
            "add_rmsnorm": lambda x, r, w: LigerFusedAddRMSNormFunction.apply(x, r, w, EPS)}


def quack_peer():
    from quack.rmsnorm import rmsnorm_fwd

    def add(x, r, w):
        out = rmsnorm_fwd(x, w, residual=r, residual_dtype=x.dtype, eps=EPS)
        if out[1] is None:
            raise RuntimeError("rmsnorm_fwd returned no residual sum")
        return out[0], out[1]

    return {"rmsnorm": lambda x, w: rmsnorm_fwd(x, w, eps=EPS)[0], "add_rmsnorm": add}


def version(module):
    try:
        from importlib.metadata import version as v
        return v(module)
    except Exception:  # noqa: BLE001 - a version we cannot read is not a failure
        return None


def load_peers(names):
    """name -> {op: fn}, or name -> why it is missing (recorded on every row, not dropped)."""
    peers = {}
    for name in names:
        try:
            if name == "eager":
                peers[name] = {"rmsnorm": rmsnorm, "add_rmsnorm": add_rmsnorm}
            elif name == "compiled":
                peers[name] = {"rmsnorm": compiled_rmsnorm, "add_rmsnorm": compiled_add_rmsnorm}
            elif name == "liger":
                peers[name] = liger_peer()
            elif name == "quack":
                peers[name] = quack_peer()
            else:
                peers[name] = f"unknown peer {name!r}"
        except Exception as e:  # noqa: BLE001 - an import failure is a result
            peers[name] = f"{type(e).__name__}: {e}"
    return peers


def measure(fn, op, m, n, args):
    row = {}
    try:
        err = rel_error(op, fn, args)
        row["rel_err"] = err
        if not err < TOLERANCE:
            row["status"] = "wrong"
            return row
        row.update(time_like_tkbench(fn, op, m, n, args))
        row["status"] = "ok"
    except Exception as e:  # noqa: BLE001 - compile errors, OOM, unsupported shapes: recorded per row
        row["status"] = "error"
        row["error"] = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"[:300]
        traceback.print_exc()
        if isinstance(e, torch.cuda.OutOfMemoryError):
            torch.cuda.empty_cache()
    return row


def main():
    out_path, shapes = sys.argv[1], sys.argv[2:]
    names = [p for p in os.environ.get("PEERS", "eager,compiled,liger,quack").split(",") if p]
    peers = load_peers(names)
    out = open(out_path, "w")

    def emit(record):
        out.write(json.dumps(record) + "\n")
        out.flush()

    emit({"meta": {"gpu": props.name, "l2_bytes": L2, "torch": torch.__version__, "triton": version("triton"),
                   "liger": version("liger_kernel") or version("liger-kernel"), "quack": version("quack-kernels"),
                   "peers": names, "ops": list(OPS), "shapes": shapes, "eps": EPS, "tolerance": TOLERANCE}})
    for name, p in peers.items():
        if isinstance(p, str):
            print(f"peer {name}: missing: {p}", flush=True)
    for shape in shapes:
        m, n = (int(v) for v in shape.split("x"))
        for op in OPS:
            try:
                args = make_inputs(op, m, n)
            except Exception as e:  # noqa: BLE001
                for name in names:
                    emit({"peer": name, "op": op, "shape": shape, "status": "error", "error": f"inputs: {e}"[:300]})
                continue
            for name in names:
                start = time.time()
                p = peers[name]
                row = {"status": "missing", "error": p} if isinstance(p, str) else measure(p[op], op, m, n, args)
                emit({"peer": name, "op": op, "shape": shape, **row})
                if row["status"] == "ok":
                    t = f"{row['us']:9.2f} us{' (graph)' if row['graph'] else ''}"
                else:
                    t = row.get("error") or f"relative L2 error {row.get('rel_err')}"
                print(f"peer {name:8s} {op:12s} {shape:>11s}: {row['status']:7s} {t} [{time.time() - start:.1f} s]", flush=True)
            del args
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
