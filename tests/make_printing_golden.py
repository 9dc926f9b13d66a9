"""Write tests/printing_golden.json: tensor reprs PyTorch printed, for runs without PyTorch.

Run from the repository root: ``.venv/bin/python -m tests.make_printing_golden``.
Each case is a spec (values, dtype, shape, print options, default dtype, autograd
variant) that :func:`build` turns into a tensor of either library, and the repr that
PyTorch gave it with ``torch.`` replaced by ``leafgrad.``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

PATH = Path(__file__).parent / "printing_golden.json"

inf, nan = math.inf, math.nan

DEFAULT_OPTIONS = {"profile": "default", "sci_mode": None}


def build(lib, spec: dict):
    """The tensor a spec describes, in ``lib`` (leafgrad or torch)."""
    dtype = np.dtype(spec["dtype"])
    shape = tuple(spec["shape"])
    n = math.prod(shape)
    if "arange" in spec:
        start, step = spec["arange"]
        arr = (start + step * np.arange(n, dtype=np.float64)).astype(dtype)
    else:
        vals = spec["values"]
        if dtype.kind == "f":
            vals = [float(v) for v in vals]
        arr = np.array(vals, dtype=dtype)
    arr = arr.reshape(shape)
    if spec.get("transpose"):
        arr = arr.T
    t = lib.from_numpy(arr.copy() if not spec.get("transpose") else arr)
    grad = spec.get("grad")
    if grad:
        t.requires_grad_()
        if grad == "mul":
            t = t * 2
        elif grad == "neg":
            t = t.neg()
    return t


def _f(*vals) -> list[str]:
    # Floats are stored as repr strings: JSON has no nan, inf or -0.
    return [repr(float(v)) for v in vals]


def _case(id_, values=None, *, dtype="float32", shape=None, **kw) -> dict:
    spec = {"id": id_, "dtype": dtype}
    if values is not None:
        if np.dtype(dtype).kind == "f":
            values = _f(*values)
        spec["values"] = values
        spec["shape"] = list(shape) if shape is not None else [len(values)]
    else:
        spec["shape"] = list(shape)
    spec.update(kw)
    return spec


CASES = [
    _case("scalar-float", [1.5], shape=()),
    _case("scalar-int-valued", [3.0], shape=()),
    _case("scalar-negzero", [-0.0], shape=()),
    _case("scalar-nan", [nan], shape=()),
    _case("scalar-tiny", [1e-20], shape=()),
    _case("scalar-huge", [1e20], shape=()),
    _case("scalar-int64", [7], dtype="int64", shape=()),
    _case("scalar-int16", [-7], dtype="int16", shape=()),
    _case("scalar-bool", [True], dtype="bool", shape=()),
    _case("empty", [], dtype="float32"),
    _case("empty-int64", [], dtype="int64"),
    _case("empty-bool", [], dtype="bool"),
    _case("empty-float64", [], dtype="float64"),
    _case("empty-0x3", [], shape=(0, 3)),
    _case("empty-2x0-int32", [], dtype="int32", shape=(2, 0)),
    _case("empty-grad", [], shape=(0, 3), grad="mul"),
    _case("int-valued", [1.0, 2.0, -3.0]),
    _case("plain", [1.5, 2.0, -0.25]),
    _case("sci-ratio", [1e10, 1.0]),
    _case("sci-tiny", [1e-5, 1.0]),
    _case("int-1e8", [1e8, 1.0e7]),
    _case("int-above-1e8", [123456789.0]),
    _case("nan-inf", [nan, 1.5, inf, -inf]),
    _case("nan-inf-only", [nan, inf, -inf, 0.0]),
    _case("nan-sci", [nan, 1e10, 1.0]),
    _case("zeros-wrap", [0.0] * 100, dtype="float64"),
    _case("neg-zero", [0.0, -0.0, 2.0]),
    _case("float16", [0.1, 2.0, 65504.0], dtype="float16"),
    _case("float16-int", [1.0, 2.0], dtype="float16"),
    _case("int8", [1, -20, 100], dtype="int8"),
    _case("uint8", [0, 255, 7, 1, 2, 3], dtype="uint8", shape=(2, 3)),
    _case("int32-wrap", [i * 1000 for i in range(13)], dtype="int32"),
    _case("int16-3d", list(range(-12, 12)), dtype="int16", shape=(2, 3, 4)),
    _case("bool", [True, False, True, True], dtype="bool", shape=(2, 2)),
    _case("nested-4d", shape=(2, 3, 2, 2), arange=[-5.0, 0.5]),
    _case("transposed", shape=(3, 4), arange=[0.0, 1.25], transpose=True),
    _case("long-row", shape=(50,), arange=[0.0, 0.37]),
    _case("summary-1d", shape=(1001,), dtype="int64", arange=[0.0, 1.0]),
    _case("summary-2d", shape=(40, 30), arange=[-600.0, 1.0]),
    _case("summary-3d-sci", shape=(2, 10, 100), arange=[0.0, 1.0]),
    _case("summary-float64-grad", shape=(1100,), dtype="float64", arange=[0.5, 1.0],
          grad="requires_grad"),
    _case("requires-grad", [1.0, 2.0], grad="requires_grad"),
    _case("grad-fn", [1.0, 2.5], grad="mul"),
    _case("grad-fn-float64", [1.0, 2.5], dtype="float64", grad="neg"),
    _case("suffix-wrap", shape=(14,), dtype="float64", arange=[1.0, 1000.0], grad="mul"),
    _case("suffix-wrap-2d", [0] * 62, dtype="int8", shape=(2, 31)),
    _case("opt-precision-2", [1.12345, 2.5], options={"precision": 2}),
    _case("opt-precision-0", [1.5, 2.25], options={"precision": 0}),
    _case("opt-threshold-5", shape=(10,), dtype="int64", arange=[0.0, 1.0],
          options={"threshold": 5}),
    _case("opt-edgeitems-1", shape=(3, 4), arange=[0.0, 1.0],
          options={"threshold": 2, "edgeitems": 1}),
    _case("opt-edgeitems-0", shape=(2, 3), arange=[0.0, 1.0],
          options={"edgeitems": 0}, grad="mul"),
    _case("opt-edgeitems-0-summary", shape=(5,), dtype="int8", arange=[0.0, 1.0],
          options={"edgeitems": 0, "threshold": 2}),
    _case("opt-linewidth-20", [1.0, 2.5], dtype="float64", grad="neg",
          options={"linewidth": 20}),
    _case("opt-linewidth-3", shape=(2, 3), arange=[0.0, 1.0], options={"linewidth": 3}),
    _case("opt-sci-true", [1.0, 2.0], options={"sci_mode": True}),
    _case("opt-sci-true-zeros", [0.0, 0.0], options={"sci_mode": True}),
    _case("opt-sci-false", [1e20, 2.0], options={"sci_mode": False}),
    _case("opt-sci-false-tiny", [1e-8, 100.0], options={"sci_mode": False}),
    _case("opt-profile-short", [1.12345, 2.5, 3.0, 4.0, 5.0], options={"profile": "short"}),
    _case("opt-profile-full", shape=(1200,), dtype="int64", arange=[0.0, 1.0],
          options={"profile": "full"}),
    _case("default-float64", [1.5, 2.0], dtype="float64", default_dtype="float64"),
    _case("default-float64-f32", [1.5, 2.0], dtype="float32", default_dtype="float64"),
    _case("default-float64-empty", [], dtype="float64", default_dtype="float64"),
    _case("default-float64-empty-f32", [], dtype="float32", default_dtype="float64"),
]


def main() -> None:
    import torch

    out = []
    for spec in CASES:
        torch.set_printoptions(**DEFAULT_OPTIONS)
        torch.set_printoptions(**spec.get("options", {}))
        torch.set_default_dtype(getattr(torch, spec.get("default_dtype", "float32")))
        try:
            text = repr(build(torch, spec)).replace("torch.", "leafgrad.")
        finally:
            torch.set_printoptions(**DEFAULT_OPTIONS)
            torch.set_default_dtype(torch.float32)
        out.append({**spec, "repr": text})
    PATH.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(out)} cases to {PATH}")


if __name__ == "__main__":
    main()
