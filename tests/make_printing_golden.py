"""Regenerate tests/printing_golden.json from PyTorch: python -m tests.make_printing_golden"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).parent / "printing_golden.json"


def cases():
    r = np.random.default_rng(7)
    yield np.float32(7.389056), "grad_fn"
    yield np.array([1.0, 2.0], np.float32), "plain"
    yield np.array([[2.0, 2.0], [2.0, 2.0]], np.float32), "plain"
    yield np.array([1e10, 1.0], np.float32), "plain"
    yield np.array([1e-5, 1.0], np.float64), "requires_grad"
    yield np.array([np.nan, np.inf, -np.inf, 1.5], np.float32), "plain"
    yield np.array([-0.0, 0.0], np.float32), "plain"
    yield np.zeros((0, 3), np.float32), "plain"
    yield np.zeros((0,), np.int64), "plain"
    yield np.zeros((0,), np.float32), "plain"
    yield np.arange(2000, dtype=np.float32), "plain"
    yield np.arange(24, dtype=np.int64).reshape(2, 3, 4), "plain"
    yield np.arange(24, dtype=np.int32).reshape(2, 3, 4), "plain"
    yield np.array([True, False]), "plain"
    yield np.array([1, 2, 3], np.uint8), "plain"
    yield np.array(3, np.int64), "plain"
    yield np.array(2.5, np.float16), "plain"
    yield r.standard_normal((40, 40)).astype(np.float32), "plain"
    yield r.standard_normal((3, 40)).astype(np.float64), "grad_fn"
    yield (r.standard_normal(30) * 1e9).astype(np.float32), "plain"
    yield (r.standard_normal(10) * 1e-6).astype(np.float64), "plain"
    yield r.integers(-100, 100, (5, 5)).astype(np.float32), "requires_grad"
    yield np.exp(r.uniform(-20, 20, 8)), "plain"
    yield r.standard_normal((2, 2, 2, 2)).astype(np.float32), "plain"


def main() -> None:
    out = []
    for array, kind in cases():
        array = np.asarray(array)
        t = torch.from_numpy(array.copy())
        if kind == "requires_grad":
            t.requires_grad_()
        elif kind == "grad_fn":
            t = t.requires_grad_() * 1
        out.append({"values": array.reshape(-1).tolist(), "dtype": array.dtype.name,
                    "shape": list(array.shape), "kind": kind,
                    "repr": repr(t).replace("torch.", "leafgrad.")})
    OUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
