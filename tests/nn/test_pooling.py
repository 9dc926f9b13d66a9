"""Max pooling where it is hardest to get right, against PyTorch: windows full of ties (a ReLU's
zeros), NaNs and infinities, which decide where the gradient goes. Covers both of leafgrad's
paths: tiling windows (stride = kernel, a pass per tap) and general windows (flat indices)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leafgrad as lg

pytestmark = pytest.mark.torch
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _values(rs, shape, dt, specials: bool):
    """Few distinct values (ties in most windows), some windows holding NaN or +-inf."""
    x = rs.randint(-2, 3, size=shape).clip(0).astype(dt)  # a ReLU's output: many zeros
    if specials:
        flat = x.reshape(-1)
        for v in (np.nan, np.inf, -np.inf, np.nan):
            flat[rs.randint(flat.size)] = v
    return x


@FIXTURE_OK
@given(nd=st.sampled_from([1, 2, 3]), k=st.integers(1, 3), extra=st.integers(0, 2),
       stride=st.sampled_from([None, 1, 2]), return_indices=st.booleans(),
       specials=st.booleans(), dt=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 2**16))
def test_max_pool_ties_and_nans_match_torch(torch, nd, k, extra, stride, return_indices,
                                            specials, dt, seed):
    rs = np.random.RandomState(seed)
    shape = (2, 3) + (k * 2 + extra,) * nd
    x = _values(rs, shape, dt, specials)
    g = rs.randn(*shape).astype(dt)  # sliced to the output's shape below
    results = []
    for T in (torch, lg):
        t = T.tensor(x, requires_grad=True)
        out = getattr(T.nn.functional, f"max_pool{nd}d")(t, k, stride,
                                                          return_indices=return_indices)
        vals = out[0] if return_indices else out
        vals.backward(T.tensor(g[tuple(slice(0, s) for s in vals.shape)].copy()))
        results.append((vals.detach().numpy(), t.grad.numpy(), vals.grad_fn.name(),
                        out[1].numpy() if return_indices else None))
    (tv, tg, tname, ti), (lv, lgr, lname, li) = results
    np.testing.assert_array_equal(lv, tv)
    # overlapping windows sum into an element in another order: float rounding only; a
    # gradient at the wrong place is off by a whole value
    np.testing.assert_allclose(lgr, tg, rtol=0,
                               atol=1e-5 if dt == np.float32 else 1e-12)
    assert lname == tname
    if return_indices:
        np.testing.assert_array_equal(li, ti)


def test_tiling_pool_double_backward_matches_torch(torch):
    x = _values(np.random.RandomState(0), (2, 2, 5, 4), np.float64, False)
    results = []
    for T in (torch, lg):
        t = T.tensor(x, requires_grad=True)
        y = T.nn.functional.max_pool2d(t, 2)
        v = T.ones(tuple(y.shape), dtype=T.float64, requires_grad=True)
        (gx,) = T.autograd.grad(y, t, v, create_graph=True)
        (gv,) = T.autograd.grad((gx * T.tensor(x + 1)).sum(), v)
        results.append((gx.detach().numpy(), gv.numpy()))
    for a, b in zip(*results):
        np.testing.assert_array_equal(b, a)


def test_tiling_pool_second_backward_matches_torch(torch):
    # the first backward uses the forward's winning taps; a retained graph's second finds
    # them recomputed from the saved input
    x = _values(np.random.RandomState(1), (2, 3, 6, 6), np.float32, False)
    grads = []
    for T in (torch, lg):
        t = T.tensor(x, requires_grad=True)
        y = T.nn.functional.max_pool2d(t, 3) * T.tensor(np.arange(8.0, dtype=np.float32)
                                                         .reshape(2, 1, 2, 2))
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        grads.append(t.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])
