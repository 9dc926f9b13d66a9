"""nn.utils: gradient clipping (SPEC item 19) and parameter/vector conversion, against
PyTorch."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad as lg
import leafgrad.nn as nn

from ._helpers import lgmsg

pytestmark = pytest.mark.torch


def make_params(torch, shapes, dtype, rng, scale=1.0, none_at=()):
    """The same parameters with the same gradients in both libraries."""
    tps, lps = [], []
    for i, shape in enumerate(shapes):
        a = rng.standard_normal(shape).astype(dtype)
        tp, lp = torch.nn.Parameter(torch.tensor(a)), nn.Parameter(lg.tensor(a))
        if i not in none_at:
            g = (rng.standard_normal(shape) * scale).astype(dtype)
            tp.grad, lp.grad = torch.tensor(g), lg.tensor(g)
        tps.append(tp)
        lps.append(lp)
    return tps, lps


def assert_grads_equal(tps, lps, tol):
    for tp, lp in zip(tps, lps, strict=True):
        if tp.grad is None:
            assert lp.grad is None
        else:
            np.testing.assert_allclose(lp.grad.numpy(), tp.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype,tol", [("float32", 2e-6), ("float64", 1e-12)])
@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, "inf", 3.0, 0.5, -math.inf, 0])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e6])
def test_clip_grad_norm_matches_torch(torch, dtype, tol, norm_type, max_norm):
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,), (), (2, 2, 2), (0, 3)]
    if float(norm_type) in (math.inf, -math.inf):
        shapes.pop()  # PyTorch: no inf norm of an empty tensor (tested below)
    tps, lps = make_params(torch, shapes, dtype, rng, none_at=(1,))
    tn = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
    ln = nn.utils.clip_grad_norm_(lps, max_norm, norm_type=norm_type)
    assert isinstance(ln, lg.Tensor) and ln.shape == () and not ln.requires_grad
    assert str(ln.dtype).split(".")[-1] == str(tn.dtype).split(".")[-1]
    np.testing.assert_allclose(ln.item(), tn.item(), rtol=tol)
    assert_grads_equal(tps, lps, tol)


@pytest.mark.parametrize("norm_type", [math.inf, -math.inf])
def test_inf_norm_of_empty_gradient(torch, norm_type):
    tps, lps = make_params(torch, [(2,), (0, 3)], "float32", np.random.default_rng(3))
    with pytest.raises(RuntimeError) as te:
        torch.nn.utils.clip_grad_norm_(tps, 1.0, norm_type)
    with pytest.raises(RuntimeError, match=re.escape(str(te.value))):
        nn.utils.clip_grad_norm_(lps, 1.0, norm_type)


@given(st.lists(st.lists(st.integers(1, 4), max_size=3), min_size=1, max_size=4),
       st.floats(0.01, 10.0), st.sampled_from([1.0, 2.0, math.inf]))
def test_clip_grad_norm_property(shapes, max_norm, norm_type):
    import torch

    rng = np.random.default_rng(len(shapes))
    tps, lps = make_params(torch, [tuple(s) for s in shapes], "float32", rng, scale=3.0)
    tn = torch.nn.utils.clip_grad_norm_(tps, max_norm, norm_type)
    ln = nn.utils.clip_grad_norm_(lps, max_norm, norm_type)
    np.testing.assert_allclose(ln.item(), tn.item(), rtol=1e-5)
    assert_grads_equal(tps, lps, 1e-5)
    after = nn.utils.get_total_norm([p.grad for p in lps], norm_type).item()
    assert after <= max_norm * (1 + 1e-5) or after <= tn.item() * (1 + 1e-5)


def test_spec19_manual_norm_agrees(torch):
    """SPEC 19: clip_grad_norm_ returns the total norm the manual loop computes."""
    lg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 2))
    (model(lg.randn(5, 4)) ** 2).sum().backward()
    manual = sum(p.grad.data.norm(2).item() ** 2 for p in model.parameters()) ** 0.5
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1e9)
    assert math.isclose(total.item(), manual, rel_tol=1e-5)
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
    assert math.isclose(total.item(), manual, rel_tol=1e-5)
    after = sum(p.grad.data.norm(2).item() ** 2 for p in model.parameters()) ** 0.5
    assert math.isclose(after, 0.5, rel_tol=1e-4)
    nn.utils.clip_grad_value_(model.parameters(), clip_value=0.01)
    assert all(np.abs(p.grad.numpy()).max() <= 0.01 for p in model.parameters())


def test_clip_single_tensor_and_generators(torch):
    p = nn.Parameter(lg.ones(4))
    (p * 3).sum().backward()
    tp = torch.nn.Parameter(torch.ones(4))
    (tp * 3).sum().backward()
    assert repr(nn.utils.clip_grad_norm_(p, 1.0)) == repr(torch.nn.utils.clip_grad_norm_(tp, 1.0))
    np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy())
    assert repr(nn.utils.clip_grad_norm_([], 1.0)) == repr(torch.nn.utils.clip_grad_norm_([], 1.0))
    with pytest.warns(UserWarning, match=re.escape(
            "`parameters` is an empty generator, no gradient clipping will occur.")):
        nn.utils.clip_grad_norm_((q for q in []), 1.0)
    # no grads at all: norm 0, nothing touched
    q = nn.Parameter(lg.ones(2))
    assert nn.utils.clip_grad_norm_([q], 1.0).item() == 0.0 and q.grad is None


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_clip_grad_norm_nonfinite(torch, bad):
    tps, lps = make_params(torch, [(3,)], "float32", np.random.default_rng(1))
    tps[0].grad[1] = bad
    lps[0].grad.numpy()[1] = bad
    with pytest.raises(RuntimeError) as te:
        torch.nn.utils.clip_grad_norm_(tps, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match=re.escape(lgmsg(str(te.value)))):
        nn.utils.clip_grad_norm_(lps, 1.0, error_if_nonfinite=True)
    tps, lps = make_params(torch, [(3,)], "float32", np.random.default_rng(1))
    tps[0].grad[1] = bad
    lps[0].grad.numpy()[1] = bad
    tn = torch.nn.utils.clip_grad_norm_(tps, 1.0)
    ln = nn.utils.clip_grad_norm_(lps, 1.0)
    np.testing.assert_array_equal(ln.numpy(), tn.numpy())
    np.testing.assert_array_equal(lps[0].grad.numpy(), tps[0].grad.numpy())


def test_clip_bumps_version_and_keeps_grad_object(torch):
    p = nn.Parameter(lg.ones(3))
    (p * 10).sum().backward()
    g = p.grad
    v = g._version
    nn.utils.clip_grad_norm_([p], 1.0)
    assert p.grad is g and g._version > v
    v = g._version
    nn.utils.clip_grad_value_([p], 0.1)
    assert p.grad is g and g._version > v


@pytest.mark.parametrize("clip", [0.0, 0.3, 1, 5.0])
def test_clip_grad_value_matches_torch(torch, clip):
    tps, lps = make_params(torch, [(3, 4), (5,), ()], "float32", np.random.default_rng(2),
                           none_at=(1,))
    assert nn.utils.clip_grad_value_(lps, clip) is None
    torch.nn.utils.clip_grad_value_(tps, clip)
    assert_grads_equal(tps, lps, 0)
    p = nn.Parameter(lg.tensor([3.0, -4.0]))
    p.grad = lg.tensor([3.0, -4.0])
    nn.utils.clip_grad_value_(p, 1)
    np.testing.assert_array_equal(p.grad.numpy(), [1.0, -1.0])


def test_deprecated_clip_grad_norm(torch):
    p = nn.Parameter(lg.ones(2))
    p.grad = lg.ones(2)
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
        nn.utils.clip_grad_norm(p, 1.0)


def test_parameters_to_vector_and_back(torch):
    tm = torch.nn.Linear(3, 2)
    lm = nn.Linear(3, 2)
    for (_, p), (_, q) in zip(lm.named_parameters(), tm.named_parameters(), strict=True):
        p.data = lg.tensor(q.detach().numpy().copy())
    tv = torch.nn.utils.parameters_to_vector(tm.parameters())
    lv = nn.utils.parameters_to_vector(lm.parameters())
    np.testing.assert_array_equal(lv.detach().numpy(), tv.detach().numpy())
    assert lv.grad_fn.name() == tv.grad_fn.name()
    lv.sum().backward()
    assert all(np.all(p.grad.numpy() == 1) for p in lm.parameters())
    new = np.arange(8, dtype=np.float32)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tm.parameters())
    vec = lg.tensor(new)
    w = lm.weight
    assert nn.utils.vector_to_parameters(vec, lm.parameters()) is None
    assert lm.weight is w and isinstance(lm.weight, nn.Parameter) and lm.weight.requires_grad
    for (_, p), (_, q) in zip(lm.named_parameters(), tm.named_parameters(), strict=True):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    with pytest.raises(TypeError) as te:
        torch.nn.utils.vector_to_parameters([1.0], tm.parameters())
    with pytest.raises(TypeError, match=re.escape(lgmsg(str(te.value)))):
        nn.utils.vector_to_parameters([1.0], lm.parameters())


def test_spec20_training_loop_with_clipping_matches_torch(torch):
    """SPEC 19-20: the standard loop (Sequential MLP, Adam, BCE, clip_grad_norm_, train/eval,
    no_grad validation) gives PyTorch's losses step for step from the same weights."""
    optim = pytest.importorskip("leafgrad.optim", reason="leafgrad.optim not available")
    F = nn.functional
    if not hasattr(optim, "Adam") or not hasattr(F, "binary_cross_entropy"):
        pytest.skip("Adam / binary_cross_entropy not available yet")

    def build(mod):
        return mod.Sequential(mod.Linear(2, 4), mod.ReLU(), mod.Linear(4, 1), mod.Sigmoid())

    tm, lm = build(torch.nn), build(nn)
    assert [n for n, _ in lm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    lm.load_state_dict({k: lg.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 2)).astype(np.float32)
    y = (x[:, :1] * x[:, 1:] > 0).astype(np.float32)
    topt = torch.optim.Adam(tm.parameters(), lr=0.01)
    lopt = optim.Adam(lm.parameters(), lr=0.01)
    for _ in range(15):
        for m, opt, T, F_ in ((tm, topt, torch, torch.nn.functional), (lm, lopt, lg, F)):
            m.train()
            opt.zero_grad()
            loss = F_.binary_cross_entropy(m(T.tensor(x)), T.tensor(y))
            loss.backward()
            norm = (torch.nn.utils if T is torch else nn.utils).clip_grad_norm_(
                m.parameters(), max_norm=0.5)
            opt.step()
            m.eval()
            with T.no_grad():
                val = F_.binary_cross_entropy(m(T.tensor(x)), T.tensor(y))
            if T is torch:
                expected = (loss.item(), norm.item(), val.item())
            else:
                np.testing.assert_allclose((loss.item(), norm.item(), val.item()), expected,
                                           rtol=1e-4, atol=1e-6)
                assert not val.requires_grad
