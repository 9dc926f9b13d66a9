"""Printing: repr/str identical to PyTorch's (``leafgrad`` where PyTorch says ``torch``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leafgrad

GOLDEN = Path(__file__).parent / "printing_golden.json"

VALUES = {
    "normal": lambda r, s: r.standard_normal(s),
    "integers": lambda r, s: r.integers(-50, 50, s).astype(float),
    "huge": lambda r, s: r.standard_normal(s) * 1e9,
    "tiny": lambda r, s: r.standard_normal(s) * 1e-6,
    "spread": lambda r, s: np.exp(r.uniform(-20, 20, s)),
    "nan": lambda r, s: np.where(r.random(s) < 0.3, np.nan, r.standard_normal(s)),
    "inf": lambda r, s: np.where(r.random(s) < 0.3, -np.inf, r.integers(0, 9, s).astype(float)),
    "zeros": lambda r, s: np.zeros(s),
    "negzero": lambda r, s: -np.zeros(s),
}
FLOATS = ["float16", "float32", "float64"]
INTS = ["int8", "int16", "int32", "int64", "uint8"]
SHAPES = st.sampled_from([(), (1,), (5,), (3, 4), (2, 3, 4), (0,), (0, 3), (2, 0, 1), (30,),
                          (1001,), (40, 40), (3, 400), (2, 2, 2, 2), (1, 1, 1)])


def suffix_layout(text: str) -> str:
    """Where a suffix goes on a new line depends on the name's length (leafgrad is 3
    characters longer than torch), so the comparison ignores that one break."""
    return re.sub(r",\s+(dtype|requires_grad|grad_fn|size)=", r", \1=", text)


def make(T, array: np.ndarray, kind: str):
    t = T.from_numpy(np.array(array, copy=True))
    if kind == "requires_grad":
        t.requires_grad_()
    elif kind == "grad_fn":
        t = t.requires_grad_() * 1
    return t


def draw_case(data):
    shape = data.draw(SHAPES)
    seed = data.draw(st.integers(0, 2**31))
    r = np.random.default_rng(seed)
    if data.draw(st.booleans()):
        dtype = data.draw(st.sampled_from(FLOATS))
        values = VALUES[data.draw(st.sampled_from(sorted(VALUES)))](r, shape)
        kind = data.draw(st.sampled_from(["plain", "requires_grad", "grad_fn"]))
    else:
        dtype = data.draw(st.sampled_from(INTS + ["bool"]))
        values = r.integers(-100, 100, shape) if dtype != "bool" else r.random(shape) < 0.5
        kind = "plain"
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(values).astype(dtype), kind


@pytest.mark.torch
def test_repr_matches_torch(torch):
    @settings(max_examples=150)
    @given(data=st.data())
    def check(data):
        array, kind = draw_case(data)
        ours = make(leafgrad, array, kind)
        theirs = make(torch, array, kind)
        expected = repr(theirs).replace("torch.", "leafgrad.")
        assert suffix_layout(repr(ours)) == suffix_layout(expected)
        assert str(ours) == repr(ours)

    check()


OPTIONS = [
    dict(precision=2),
    dict(threshold=5),
    dict(edgeitems=1, threshold=10),
    dict(linewidth=40),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(profile="short"),
    dict(profile="full"),
]


@pytest.mark.torch
@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_printoptions_match_torch(options, torch):
    r = np.random.default_rng(0)
    arrays = [r.standard_normal((3, 7)) * 100, np.arange(2000.0), r.standard_normal(50) * 1e-5,
              np.arange(12).reshape(3, 4)]
    try:
        leafgrad.set_printoptions(**options)
        torch.set_printoptions(**options)
        for a in arrays:
            expected = repr(torch.from_numpy(a)).replace("torch.", "leafgrad.")
            assert suffix_layout(repr(leafgrad.from_numpy(a))) == suffix_layout(expected)
    finally:
        leafgrad.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


@pytest.mark.torch
def test_default_dtype_changes_the_suffix(torch):
    try:
        for T in (torch, leafgrad):
            T.set_default_dtype(T.float64)
        for make_t in (lambda T: T.tensor([1.0, 2.0]),
                       lambda T: T.tensor([1.0], dtype=T.float32), lambda T: T.tensor([])):
            assert repr(make_t(leafgrad)) == repr(make_t(torch)).replace("torch.", "leafgrad.")
    finally:
        for T in (torch, leafgrad):
            T.set_default_dtype(T.float32)


def test_golden_reprs():
    """Reprs PyTorch printed (tests/make_printing_golden.py), checked without PyTorch."""
    cases = json.loads(GOLDEN.read_text())
    assert len(cases) > 20
    for case in cases:
        array = np.array(case["values"], dtype=case["dtype"]).reshape(case["shape"])
        ours = make(leafgrad, array, case["kind"])
        assert suffix_layout(repr(ours)) == suffix_layout(case["repr"]), case


def test_set_printoptions_rejects_unknown_profile():
    with pytest.raises(ValueError, match="Unknown profile"):
        leafgrad.set_printoptions(profile="tiny")
