"""Regenerate the golden fixtures from PyTorch: python -m tests.ops.make_golden [op ids].

Each fixture holds a few seeded samples of one OpInfo with PyTorch's outputs and
gradients, so tests/ops/test_ops.py::test_golden checks leafgrad without PyTorch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

from . import harness
from .opdb import RandomDraw, all_entries

CASES_PER_DTYPE = 3
OUT = Path(__file__).parent / "golden"


def make(op) -> None:
    payload: dict = {}
    k = 0
    for dtype in op.dtypes:
        for seed in range(CASES_PER_DTYPE):
            sample = op.samples(RandomDraw(seed, dtype))
            out, inputs, douts = harness.run(torch, op, sample, op.grad)
            grads = []
            if op.grad:
                gs = harness.upstream(douts, 1234)
                grads = harness.grads_of(torch, douts, inputs, gs)
            case = harness.save_case(None, sample, harness.flat_outputs(out), grads)
            payload[f"meta{k}"] = np.array(case["meta"])
            payload[f"c{k}_n"] = np.array(len(case["arrays"]))
            for i, a in enumerate(case["arrays"]):
                payload[f"c{k}_a{i}"] = np.array(a, order="C")  # keeps 0-d arrays 0-d
            k += 1
    payload["n"] = np.array(k)
    np.savez_compressed(OUT / f"{op.id}.npz", **payload)


def main(ids: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    for op in all_entries():
        if not ids or op.id in ids:
            make(op)
            print("wrote", op.id)


if __name__ == "__main__":
    main(sys.argv[1:])
