"""The backend's named functions that stand in for a NumPy call for speed give NumPy's
answer bit for bit, on both sides of any size threshold, with NaN, infinities and signed
zeros, and the ops with a separate path for big arrays (filled operands, in-place
temporaries in their vjps) match PyTorch there too."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad as lg
from leafgrad import backend

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint8]


def _array(rs, size, dt, nan=True):
    if np.dtype(dt).kind == "f":
        a = rs.randn(size).astype(dt)
        specials = np.array([np.nan if nan else 1.0, np.inf, -np.inf, 0.0, -0.0], dtype=dt)
        a[rs.randint(0, size, 5)] = specials
        return a
    info = np.iinfo(dt)
    return rs.randint(max(info.min, -100), min(info.max, 100), size).astype(dt)


@given(size=st.sampled_from([0, 1, 7, 4095, 4096, 5000]), dt=st.sampled_from(DTYPES),
       value=st.sampled_from([0, 1, -2, 0.5, -0.0, float("inf")]), seed=st.integers(0, 99))
def test_maximum_minimum_with_a_number_match_numpy(size, dt, value, seed):
    a = _array(np.random.RandomState(seed), size, dt) if size else np.zeros(0, dt)
    for ours, theirs in ((backend.maximum, np.maximum), (backend.minimum, np.minimum)):
        try:
            want = theirs(a, value)
        except OverflowError:  # -2 for uint8: NumPy refuses, and so must we
            with pytest.raises(OverflowError):
                ours(np, a, value)
            continue
        got = ours(np, a, value)
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
        assert np.array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.torch
@pytest.mark.parametrize("fn", ["relu", "relu6", "hardtanh", "clamp"])
def test_big_clamping_activations_match_torch(torch, fn):
    # no NaN: PyTorch's own hardtanh gradient at NaN differs between its vectorised and scalar
    # loops (0 in long arrays, 1 in short ones)
    a = _array(np.random.RandomState(0), 6000, np.float32, nan=False).reshape(60, 100)
    g = np.random.RandomState(1).randn(60, 100).astype(np.float32)
    results = []
    for T in (torch, lg):
        x = T.tensor(a, requires_grad=True)
        y = T.clamp(x, -0.5, 2.0) if fn == "clamp" else getattr(T.nn.functional, fn)(x)
        y.backward(T.tensor(g))
        results.append((y.detach().numpy(), x.grad.numpy()))
    for want, got in zip(*results):
        np.testing.assert_array_equal(got, want)


@pytest.mark.torch
@pytest.mark.parametrize("fn", ["tanh", "sigmoid", "square"])
@pytest.mark.parametrize("size", [4095, 4096, 6000])
def test_big_array_vjps_match_torch(torch, fn, size):
    a = np.random.RandomState(0).randn(size).astype(np.float32)
    g = np.random.RandomState(1).randn(size).astype(np.float32)
    results = []
    for T in (torch, lg):
        x = T.tensor(a, requires_grad=True)
        y = x.pow(2) if fn == "square" else getattr(x, fn)()
        y.backward(T.tensor(g))
        results.append((y.detach().numpy(), x.grad.numpy()))
    (ty, tg), (ly, lgr) = results
    np.testing.assert_allclose(ly, ty, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(lgr, tg, rtol=1e-5, atol=1e-6)
