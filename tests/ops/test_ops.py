"""Every op in the database: forward, node name and gradients vs PyTorch; gradcheck and
gradgradcheck in float64; golden fixtures where PyTorch is absent; and a meta-test that
every public op has an entry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leafgrad

from . import harness
from .opdb import HypothesisDraw, all_entries

ENTRIES = all_entries()
CASES = [pytest.param(op, dt, id=f"{op.id}-{dt}") for op in ENTRIES for dt in op.dtypes]
GOLDEN = Path(__file__).parent / "golden"


def _examples(op):
    return settings(max_examples=op.examples) if op.examples else (lambda f: f)


@pytest.mark.torch
@pytest.mark.parametrize("op,dtype", CASES)
def test_matches_torch(op, dtype, torch):
    @_examples(op)
    @given(data=st.data())
    def check(data):
        sample = op.samples(HypothesisDraw(data, dtype))
        harness.compare_with_torch(op, sample, dtype, torch)

    check()


@pytest.mark.slow
@pytest.mark.torch
@pytest.mark.parametrize("op,dtype", CASES)
def test_fuzz_against_torch(op, dtype, torch):
    """The long run (make test-slow): many more random samples per op and dtype."""

    @settings(max_examples=150)
    @given(data=st.data())
    def check(data):
        sample = op.samples(HypothesisDraw(data, dtype))
        harness.compare_with_torch(op, sample, dtype, torch)
        if dtype == "float64":
            harness.check_gradients(op, sample)

    check()


@pytest.mark.parametrize("op", [pytest.param(op, id=op.id) for op in ENTRIES
                                if op.grad and "float64" in op.dtypes])
def test_gradcheck(op):
    @settings(max_examples=min(op.examples or 6, 6))
    @given(data=st.data())
    def check(data):
        harness.check_gradients(op, op.samples(HypothesisDraw(data, "float64")))

    check()


@pytest.mark.parametrize("op", [pytest.param(op, id=op.id) for op in ENTRIES])
def test_golden(op):
    """leafgrad against outputs and gradients PyTorch computed once (make_golden.py)."""
    path = GOLDEN / f"{op.id}.npz"
    if not path.exists():
        pytest.fail(f"no golden fixture for {op.id}: run python -m tests.ops.make_golden")
    with np.load(path, allow_pickle=False) as z:
        n = int(z["n"])
        for k in range(n):
            meta = str(z[f"meta{k}"])
            arrays = [z[f"c{k}_a{i}"] for i in range(int(z[f"c{k}_n"]))]
            sample, outputs, grads = harness.load_case(meta, arrays)
            dtype = next((a.dtype.name for a in arrays if a.dtype.kind == "f"), "float64")
            atol, rtol = harness.tolerances(op, dtype)
            ours, inputs, douts = harness.run(leafgrad, op, sample, op.grad)
            flat = harness.flat_outputs(ours)
            assert len(flat) == len(outputs)
            for i, (a, b) in enumerate(zip(flat, outputs)):
                harness.assert_close(a, b, atol, rtol, f"{op.id} case {k} output {i}")
            if grads:
                gs = harness.upstream(douts, 1234)
                mine = harness.grads_of(leafgrad, douts, inputs, gs)
                for i, (a, b) in enumerate(zip(mine, grads)):
                    if b is None:
                        continue
                    a = np.zeros_like(b) if a is None else a
                    np.testing.assert_allclose(a, b, atol=atol * 10, rtol=rtol * 10,
                                               equal_nan=True,
                                               err_msg=f"{op.id} case {k} grad {i}")


def _public_ops() -> set:
    names = set(leafgrad.ops.__all__)
    for mod in leafgrad.ops.NN_FAMILIES:
        names.update(mod.__all__)
    return names


def test_every_public_op_has_an_entry():
    covered = set()
    for op in ENTRIES:
        covered.add(op.name)
        covered.update(op.covers)
    missing = sorted(_public_ops() - covered)
    assert not missing, f"ops without an OpInfo entry: {missing}"
