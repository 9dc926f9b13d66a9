"""Identity, Linear, Bilinear, Flatten, Unflatten and F.linear / F.bilinear against PyTorch:
values, gradients, recorded graphs, initialisation, reprs and errors."""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leafgrad as lg
import leafgrad.nn as nn
from leafgrad.autograd import gradcheck
from leafgrad.nn import _functional_linear as FL

from ._helpers import lgmsg, raises_like

pytestmark = pytest.mark.torch

DTYPES = [("float32", 1e-5), ("float64", 1e-12)]


same_error = functools.partial(raises_like, translate=lgmsg)


def graph(t):
    """The backward graph as nested (name, children) tuples, AccumulateGrad unprefixed."""
    def rec(node):
        if node is None:
            return None
        name = node.name().split("::")[-1]
        return (name, tuple(rec(n) for n, _ in node.next_functions))

    return rec(t.grad_fn)


def pair(torch, shape, dtype, rng, requires_grad=True, transpose=False):
    a = rng.standard_normal(shape).astype(dtype)
    t = torch.tensor(a, requires_grad=requires_grad)
    lt = lg.tensor(a, requires_grad=requires_grad)
    if transpose:
        t, lt = t.transpose(0, 1), lt.transpose(0, 1)
    return t, lt


def close(a, b, tol):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("shape", [(4,), (2, 4), (3, 2, 4), (2, 1, 3, 4), (0, 4), (2, 0, 4),
                                   "noncontig3", "noncontig2"])
@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear(torch, dtype, tol, shape, bias):
    rng = np.random.default_rng(0)
    tw, lw = pair(torch, (3, 4), dtype, rng)
    if shape == "noncontig3":  # (5, 2, 4) viewed from a transposed (2, 5, 4)
        tx, lx = pair(torch, (2, 5, 4), dtype, rng, transpose=True)
    elif shape == "noncontig2":  # (3, 4) viewed from a transposed (4, 3)
        tx, lx = pair(torch, (4, 3), dtype, rng, transpose=True)
    else:
        tx, lx = pair(torch, shape, dtype, rng)
    tb, lb = pair(torch, (3,), dtype, rng) if bias else (None, None)
    to = torch.nn.functional.linear(tx, tw, tb)
    lo = nn.functional.linear(lx, lw, lb)
    assert tuple(lo.shape) == tuple(to.shape)
    assert str(lo.dtype).split(".")[-1] == str(to.dtype).split(".")[-1]
    close(lo, to, tol)
    assert graph(lo) == graph(to)
    g = rng.standard_normal(tuple(to.shape)).astype(dtype)
    to.backward(torch.tensor(g))
    lo.backward(lg.tensor(g))
    for a, b in ((lx, tx), (lw, tw), (lb, tb)):
        if b is None:
            continue
        a = a if a.is_leaf else None
        if a is not None:
            close(a.grad, b.grad, tol)


def test_linear_graph_partial_requires_grad(torch):
    rng = np.random.default_rng(1)
    for xg, wg, bg in [(False, True, True), (True, False, True), (True, True, False)]:
        for shape in [(2, 4), (3, 2, 4), (4,)]:
            tx, lx = pair(torch, shape, "float32", rng, requires_grad=xg)
            tw, lw = pair(torch, (3, 4), "float32", rng, requires_grad=wg)
            tb, lb = pair(torch, (3,), "float32", rng, requires_grad=bg)
            to = torch.nn.functional.linear(tx, tw, tb)
            lo = nn.functional.linear(lx, lw, lb)
            assert graph(lo) == graph(to), (xg, wg, bg, shape)


def test_linear_no_grad_records_nothing():
    m = nn.Linear(3, 2)
    with lg.no_grad():
        y = m(lg.ones(4, 3))
    assert y.grad_fn is None and not y.requires_grad


@pytest.mark.parametrize("args", [
    lambda T: (T.randn(()), T.randn(3, 4)),
    lambda T: (T.randn(2, 5), T.randn(3, 4)),
    lambda T: (T.randn(2, 4), T.randn(3, 4), T.randn(2)),
    lambda T: (T.randn(2, 5, 4), T.randn(3, 5)),
    lambda T: (T.randn(2, 4, dtype=T.float64), T.randn(3, 4)),
    lambda T: (T.randn(2, 4), T.randn(3, 4), T.randn(3, dtype=T.float64)),
    lambda T: ([1.0], T.randn(3, 4)),
    lambda T: (T.randn(2, 4), "w"),
])
def test_linear_errors(torch, args):
    same_error(lambda: torch.nn.functional.linear(*args(torch)),
               lambda: nn.functional.linear(*args(lg)))


def test_linear_gradcheck():
    rng = np.random.default_rng(2)
    x = lg.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    w = lg.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    b = lg.tensor(rng.standard_normal(5), requires_grad=True)
    assert gradcheck(nn.functional.linear, (x, w, b))
    assert gradcheck(nn.functional.linear, (x[0, 0], w, None))


@pytest.mark.parametrize("dtype,tol", DTYPES)
def test_linear_module_matches_torch(torch, dtype, tol):
    tm = torch.nn.Linear(4, 3).to(getattr(torch, dtype))
    lm = nn.Linear(4, 3, dtype=getattr(lg, dtype))
    assert lm.weight.dtype == getattr(lg, dtype)
    lm.weight.data = lg.tensor(tm.weight.detach().numpy().copy())
    lm.bias.data = lg.tensor(tm.bias.detach().numpy().copy())
    rng = np.random.default_rng(3)
    tx, lx = pair(torch, (6, 4), dtype, rng)
    to, lo = tm(tx), lm(lx)
    close(lo, to, tol)
    to.pow(2).sum().backward()
    lo.pow(2).sum().backward()
    close(lm.weight.grad, tm.weight.grad, tol)
    close(lm.bias.grad, tm.bias.grad, tol)
    close(lx.grad, tx.grad, tol)
    assert repr(lm) == repr(tm)
    assert lm.in_features == 4 and lm.out_features == 3
    assert [n for n, _ in lm.named_parameters()] == ["weight", "bias"]
    assert isinstance(lm.weight, nn.Parameter)


def test_linear_no_bias(torch):
    lm, tm = nn.Linear(5, 2, bias=False), torch.nn.Linear(5, 2, bias=False)
    assert repr(lm) == repr(tm)
    assert lm.bias is None
    assert [n for n, _ in lm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert list(lm.state_dict()) == list(tm.state_dict())
    assert tuple(lm(lg.ones(3, 5)).shape) == (3, 2)


@pytest.mark.parametrize("fan_in,fan_out", [(1, 1), (4, 3), (64, 32), (300, 7)])
def test_linear_default_init_distribution(fan_in, fan_out):
    lg.manual_seed(0)
    m = nn.Linear(fan_in, fan_out)
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives the same bound
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.shape == (fan_out, fan_in) and b.shape == (fan_out,)
    assert np.all(np.abs(w) <= bound) and np.all(np.abs(b) <= bound)
    assert m.weight.is_leaf and m.weight.requires_grad and m.weight.grad is None
    if w.size > 1000:
        # U(-bound, bound): mean 0, std bound/sqrt(3)
        assert abs(w.mean()) < 0.05 * bound
        assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
        assert w.min() < -0.95 * bound and w.max() > 0.95 * bound
    m2 = nn.Linear(fan_in, fan_out)
    if w.size > 1:
        assert not np.array_equal(m2.weight.detach().numpy(), w)


def test_linear_zero_features():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        m = nn.Linear(0, 3)
    assert tuple(m(lg.ones(2, 0)).shape) == (2, 3)


def test_linear_reset_and_seed():
    lg.manual_seed(5)
    a = nn.Linear(3, 3)
    lg.manual_seed(5)
    b = nn.Linear(3, 3)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    w = a.weight
    a.reset_parameters()
    assert a.weight is w
    assert not np.array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())


# -- Bilinear -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype,tol", DTYPES)
@pytest.mark.parametrize("batch", [(5,), (2, 3), (), (0,)])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(torch, dtype, tol, batch, bias):
    rng = np.random.default_rng(4)
    t1, l1 = pair(torch, batch + (3,), dtype, rng)
    t2, l2 = pair(torch, batch + (4,), dtype, rng)
    tw, lw = pair(torch, (2, 3, 4), dtype, rng)
    tb, lb = pair(torch, (2,), dtype, rng) if bias else (None, None)
    to = torch.nn.functional.bilinear(t1, t2, tw, tb)
    lo = nn.functional.bilinear(l1, l2, lw, lb)
    assert tuple(lo.shape) == tuple(to.shape)
    close(lo, to, tol)
    assert graph(lo) == graph(to)
    g = rng.standard_normal(tuple(to.shape)).astype(dtype)
    to.backward(torch.tensor(g))
    lo.backward(lg.tensor(g))
    for a, b in ((l1, t1), (l2, t2), (lw, tw), (lb, tb)):
        if b is not None:
            close(a.grad, b.grad, tol)


def test_bilinear_gradcheck_and_double_backward():
    from leafgrad.autograd import gradgradcheck

    rng = np.random.default_rng(5)
    x1 = lg.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    x2 = lg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = lg.tensor(rng.standard_normal((2, 2, 4)), requires_grad=True)
    b = lg.tensor(rng.standard_normal(2), requires_grad=True)
    assert gradcheck(nn.functional.bilinear, (x1, x2, w, b))
    assert gradgradcheck(nn.functional.bilinear, (x1, x2, w, b))
    assert FL.Trilinear.node_cls.__name__ == "TrilinearBackward0"


@pytest.mark.parametrize("args", [
    lambda T: (T.randn(5, 3), T.randn(4, 4), T.randn(2, 3, 4)),
    lambda T: (T.randn(5, 2), T.randn(5, 4), T.randn(2, 3, 4)),
    lambda T: (T.randn(5, 3), T.randn(5, 5), T.randn(2, 3, 4)),
    lambda T: (T.randn(5, 3), T.randn(5, 2, 4), T.randn(2, 3, 4)),
    lambda T: (T.randn(5, 3), T.randn(5, 4), T.randn(2, 3, 4), T.randn(3)),
])
def test_bilinear_errors(torch, args):
    same_error(lambda: torch.nn.functional.bilinear(*args(torch)),
               lambda: nn.functional.bilinear(*args(lg)))


def test_bilinear_module(torch):
    tm, lm = torch.nn.Bilinear(3, 4, 2), nn.Bilinear(3, 4, 2)
    assert repr(lm) == repr(tm)
    assert repr(nn.Bilinear(1, 2, 3, bias=False)) == repr(torch.nn.Bilinear(1, 2, 3, bias=False))
    assert [n for n, _ in lm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    bound = 1 / math.sqrt(3)
    assert np.all(np.abs(lm.weight.detach().numpy()) <= bound)
    assert np.all(np.abs(lm.bias.detach().numpy()) <= bound)
    lm.weight.data = lg.tensor(tm.weight.detach().numpy().copy())
    lm.bias.data = lg.tensor(tm.bias.detach().numpy().copy())
    a, b = np.ones((2, 3), np.float32), np.full((2, 4), 0.5, np.float32)
    close(lm(lg.tensor(a), lg.tensor(b)), tm(torch.tensor(a), torch.tensor(b)), 1e-5)


# -- Identity / Flatten / Unflatten ---------------------------------------------------------------
def test_identity(torch):
    x = lg.ones(2, requires_grad=True)
    m = nn.Identity(3, foo="bar")
    assert m(x) is x
    assert repr(m) == repr(torch.nn.Identity(3, foo="bar"))
    assert list(m.parameters()) == []


@given(st.lists(st.integers(1, 3), min_size=0, max_size=4), st.integers(-4, 3),
       st.integers(-4, 3))
def test_flatten(shape, start, end):
    import torch

    tm, lm = torch.nn.Flatten(start, end), nn.Flatten(start, end)
    assert repr(lm) == repr(tm)
    a = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    try:
        to = tm(torch.tensor(a, requires_grad=True))
    except Exception as e:
        with pytest.raises(type(e), match=re.escape(lgmsg(str(e)))):
            lm(lg.tensor(a, requires_grad=True))
        return
    lo = lm(lg.tensor(a, requires_grad=True))
    assert tuple(lo.shape) == tuple(to.shape)
    np.testing.assert_array_equal(lo.detach().numpy(), to.detach().numpy())
    assert graph(lo) == graph(to)


def test_flatten_default(torch):
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert tuple(nn.Flatten()(lg.zeros(2, 3, 4)).shape) == (2, 12)


@pytest.mark.parametrize("dim,size", [(1, (2, 5)), (-1, [5, 2]), (1, (-1, 2)), (0, (3,)),
                                      (1, (3, 3)), (1, lg.Size([2, 5]))])
def test_unflatten(torch, dim, size):
    tsize = torch.Size(size) if isinstance(size, lg.Size) else size
    tm, lm = torch.nn.Unflatten(dim, tsize), nn.Unflatten(dim, size)
    assert repr(lm) == lgmsg(repr(tm))
    a = np.arange(30, dtype=np.float32).reshape(3, 10)
    try:
        to = tm(torch.tensor(a))
    except Exception as e:
        with pytest.raises(type(e), match=re.escape(lgmsg(str(e)))):
            lm(lg.tensor(a))
        return
    lo = lm(lg.tensor(a))
    np.testing.assert_array_equal(lo.numpy(), to.numpy())


@pytest.mark.parametrize("size", [3, (2, "a"), (2.0, 3), "ab"])
def test_unflatten_errors(torch, size):
    same_error(lambda: torch.nn.Unflatten(1, size), lambda: nn.Unflatten(1, size))


def test_sequential_mlp_matches_torch(torch):
    """A small MLP built from these layers trains in step with PyTorch (plain SGD)."""
    def build(mod):
        return mod.Sequential(mod.Linear(3, 5), mod.Flatten(), mod.Linear(5, 2))

    tm, lm = build(torch.nn), build(nn)
    for (_, p), (_, q) in zip(lm.named_parameters(), tm.named_parameters(), strict=True):
        p.data = lg.tensor(q.detach().numpy().copy())
    rng = np.random.default_rng(6)
    x = rng.standard_normal((8, 3)).astype(np.float32)
    for _ in range(5):
        tl = tm(torch.tensor(x)).pow(2).mean()
        ll = lm(lg.tensor(x)).pow(2).mean()
        np.testing.assert_allclose(ll.item(), tl.item(), rtol=1e-5)
        tm.zero_grad()
        lm.zero_grad()
        tl.backward()
        ll.backward()
        with torch.no_grad():
            for p in tm.parameters():
                p -= 0.1 * p.grad
        for p in lm.parameters():
            p.data = p.data - 0.1 * p.grad


def test_linear_graph_scan(torch):
    """Every batch shape / feature count / bias / layout records PyTorch's graph."""
    rng = np.random.default_rng(7)
    for batch in [(), (0,), (1,), (3,), (2, 3), (0, 3), (3, 0), (2, 1, 3)]:
        for k in (0, 1, 3):
            for bias in (True, False):
                for nc, bnc in ((False, False), (False, True), (True, False), (True, True)):
                    a = rng.standard_normal(batch + (k * (2 if nc else 1),)).astype(np.float32)
                    tx = torch.tensor(a, requires_grad=True)
                    lx = lg.tensor(a, requires_grad=True)
                    if nc:
                        tx, lx = tx[..., ::2], lx[..., ::2]
                    w = rng.standard_normal((2, k)).astype(np.float32)
                    # a non-contiguous bias sends PyTorch down the matmul + add path
                    step = 2 if bnc else 1
                    b = rng.standard_normal(2 * step).astype(np.float32)
                    tb, lb = torch.tensor(b)[::step], lg.tensor(b)[::step]
                    to = torch.nn.functional.linear(tx, torch.tensor(w, requires_grad=True),
                                                    tb if bias else None)
                    lo = nn.functional.linear(lx, lg.tensor(w, requires_grad=True),
                                              lb if bias else None)
                    assert graph(lo) == graph(to), (batch, k, bias, nc, bnc)
                    close(lo, to, 1e-5)


def test_bilinear_zero_features_error(torch):
    same_error(lambda: torch.nn.functional.bilinear(torch.ones(2, 0), torch.ones(2, 3),
                                                    torch.ones(4, 0, 3)),
               lambda: nn.functional.bilinear(lg.ones(2, 0), lg.ones(2, 3), lg.ones(4, 0, 3)))
