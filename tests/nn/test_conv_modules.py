"""Convolution and pooling modules against PyTorch: weight/bias shapes, default
initialisation, reprs, padding modes, values and gradients, errors."""

from __future__ import annotations

import functools
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import leafgrad as lg
import leafgrad.nn as nn
import leafgrad.nn.functional as LF

from ._helpers import close as _close
from ._helpers import copy_params, outputs_and_grads_match, pair

pytestmark = pytest.mark.torch
FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


close = functools.partial(_close, rtol64=1e-8)


def _sorted_sets(msg: str) -> str:
    """A message with each printed set's items sorted (a set literal's print order is
    fixed per compiled file, so it differs between PyTorch's code and ours)."""
    return re.sub(r"\{([^{}]*)\}", lambda m: "{" + ", ".join(sorted(m.group(1).split(", ")))
                  + "}", msg)


def _same_error(torch_fn, lg_fn):
    with pytest.raises(Exception) as info:
        torch_fn()
    msg = _sorted_sets(str(info.value).replace("torch.", "leafgrad."))
    with pytest.raises(info.type) as mine:
        lg_fn()
    assert _sorted_sets(str(mine.value)) == msg


def test_conv2d_repr_example():
    assert repr(nn.Conv2d(1, 16, kernel_size=3, padding=1)) == \
        "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"


@FIXTURE_OK
@given(nd=st.sampled_from([1, 2, 3]), transposed=st.booleans(), groups=st.sampled_from([1, 2]),
       k=st.integers(1, 3), stride=st.integers(1, 2), padding=st.sampled_from([0, 1, "same",
       "valid"]), dilation=st.integers(1, 2), bias=st.booleans(),
       mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
       batch=st.sampled_from([1, 2, 9]), seed=st.integers(0, 2**16))
def test_conv_module_matches_torch(torch, nd, transposed, groups, k, stride, padding, dilation,
                                   bias, mode, batch, seed):
    # batch 9: leafgrad's batch-last layout for small images; 1 and 2: one product per sample
    name = f"ConvTranspose{nd}d" if transposed else f"Conv{nd}d"
    if transposed:
        if isinstance(padding, str):
            padding = 1
        mode = "zeros"
    elif padding == "same":
        stride = 1
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias,
              padding_mode=mode)
    tm = getattr(torch.nn, name)(2, 4, k, dtype=torch.float64, **kw)
    lm = getattr(nn, name)(2, 4, k, dtype=lg.float64, **kw)
    assert repr(lm) == repr(tm)
    copy_params(tm, lm)
    rs = np.random.RandomState(seed)
    x = rs.randn(batch, 2, *([5] * (4 - nd) + [4] * (nd - 1))[:nd])
    tx, lx = pair(torch, x)
    try:
        to = tm(tx)
    except RuntimeError:  # e.g. a kernel larger than the padded input: both must refuse
        with pytest.raises(RuntimeError):
            lm(lx)
        return
    lo = lm(lx)
    close(to, lo)
    g = rs.randn(*to.shape)
    to.backward(torch.tensor(g))
    lo.backward(lg.tensor(g))
    close(tx.grad, lx.grad)
    for (_, tp), lp in zip(tm.named_parameters(), lm.parameters()):
        close(tp.grad, lp.grad)


@pytest.mark.parametrize("name,args,wshape", [
    ("Conv1d", (3, 8, 5), (8, 3, 5)), ("Conv2d", (4, 6, (3, 2), 1, 0, 1, 2), (6, 2, 3, 2)),
    ("Conv3d", (2, 4, 3), (4, 2, 3, 3, 3)), ("ConvTranspose2d", (4, 6, 3, 1, 0, 0, 2),
                                             (4, 3, 3, 3)),
    ("ConvTranspose1d", (3, 5, 2), (3, 5, 2))])
def test_shapes_and_default_init(torch, name, args, wshape):
    lg.manual_seed(0)
    m = getattr(nn, name)(*args)
    tm = getattr(torch.nn, name)(*args)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert tuple(m.weight.shape) == wshape
    fan_in = wshape[1] * int(np.prod(wshape[2:]))
    bound = 1 / math.sqrt(fan_in)
    for p in (m.weight, m.bias):
        a = p.detach().numpy()
        assert a.dtype == np.float32
        assert np.abs(a).max() <= bound
    w = m.weight.detach().numpy()
    assert np.abs(w).max() > 0.7 * bound  # spread over the whole interval


def test_transposed_output_size(torch):
    tm = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    lm = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, dtype=lg.float64)
    copy_params(tm, lm)
    x = np.random.RandomState(0).randn(1, 2, 4, 5)
    for size in [(8, 10), (7, 9), [1, 3, 8, 9]]:
        close(tm(torch.tensor(x), output_size=size), lm(lg.tensor(x), output_size=size))
    _same_error(lambda: tm(torch.tensor(x), output_size=(10, 10)),
                lambda: lm(lg.tensor(x), output_size=(10, 10)))


def test_construction_errors(torch):
    cases = [
        ("Conv2d", (3, 4, 3), {"groups": 2}), ("Conv2d", (4, 3, 3), {"groups": 2}),
        ("Conv2d", (4, 4, 3), {"groups": 0}), ("Conv2d", (2, 2, 3), {"padding": "full"}),
        ("Conv2d", (2, 2, 3), {"padding": "same", "stride": 2}),
        ("Conv2d", (2, 2, 3), {"padding_mode": "mirror"}),
        ("ConvTranspose2d", (2, 2, 3), {"padding_mode": "reflect"}),
    ]
    for name, args, kw in cases:
        _same_error(lambda n=name, a=args, k=kw: getattr(torch.nn, n)(*a, **k),
                    lambda n=name, a=args, k=kw: getattr(nn, n)(*a, **k))


# -- pooling modules -----------------------------------------------------------------------
POOLS = [
    ("MaxPool2d", (2,), {}), ("MaxPool2d", (3, 2, 1), {"ceil_mode": True}),
    ("MaxPool1d", (3, 1, 1), {}), ("MaxPool2d", (2,), {"return_indices": True}),
    ("AvgPool1d", (2,), {}), ("AvgPool2d", ((2, 3),), {}),
    ("AvgPool2d", (3, 2, 1), {"count_include_pad": False}),
    ("AdaptiveAvgPool2d", ((1, 1),), {}), ("AdaptiveAvgPool2d", (3,), {}),
    ("AdaptiveAvgPool2d", ((None, 2),), {}), ("AdaptiveAvgPool1d", (2,), {}),
]


@pytest.mark.parametrize("name,args,kw", POOLS)
def test_pool_repr(torch, name, args, kw):
    assert repr(getattr(nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))


def _fn_name(name: str) -> str:
    base = name.replace("Adaptive", "adaptive_").replace("MaxPool", "max_pool")
    return base.replace("AvgPool", "avg_pool").lower()


@pytest.mark.parametrize("name,args,kw", POOLS)
def test_pool_forward_backward(torch, name, args, kw):
    fn = _fn_name(name)
    if not hasattr(LF, fn):
        pytest.skip(f"nn.functional.{fn} is not implemented yet (the nn-ops helper's work)")
    tm, lm = getattr(torch.nn, name)(*args, **kw), getattr(nn, name)(*args, **kw)
    x = np.random.RandomState(0).randn(2, 3, 7, 6) if "2d" in name else \
        np.random.RandomState(0).randn(2, 3, 7)
    tx, lx = pair(torch, x)
    to, lo = tm(tx), lm(lx)
    if kw.get("return_indices"):
        np.testing.assert_array_equal(lo[1].numpy(), to[1].numpy())
        to, lo = to[0], lo[0]
    outputs_and_grads_match(close, to, lo, [(tx, lx)])


@pytest.mark.parametrize("nd,args", [(1, (2,)), (2, (2,)), (2, ((2, 3), 1, (1, 0))),
                                     (3, (2,))])
def test_maxunpool_roundtrip_matches_torch(torch, nd, args):
    tp = getattr(torch.nn, f"MaxPool{nd}d")(*args, return_indices=True)
    lp = getattr(nn, f"MaxPool{nd}d")(*args, return_indices=True)
    tu, lu = getattr(torch.nn, f"MaxUnpool{nd}d")(*args), getattr(nn, f"MaxUnpool{nd}d")(*args)
    assert repr(lu) == repr(tu)
    x = np.random.RandomState(0).randn(2, 3, *([6] * nd))
    tx, lx = pair(torch, x)
    (ty, ti), (ly, li) = tp(tx), lp(lx)
    to, lo = tu(ty, ti, output_size=tx.shape), lu(ly, li, output_size=lx.shape)
    outputs_and_grads_match(close, to, lo, [(tx, lx)])


@pytest.mark.parametrize("nd,args", [(1, (2.0, 3)), (1, (1, 2, 1)), (2, (2, 2)),
                                     (2, (3.0, (2, 3), 1, True)), (3, (2, 2)),
                                     (2, (float("inf"), 2))])
def test_lppool_matches_torch(torch, nd, args):
    tm, lm = getattr(torch.nn, f"LPPool{nd}d")(*args), getattr(nn, f"LPPool{nd}d")(*args)
    assert repr(lm) == repr(tm)
    x = np.random.RandomState(1).rand(2, 3, *([5] * nd)) + 0.1  # positive: p-th roots
    tx, lx = pair(torch, x)
    outputs_and_grads_match(close, tm(tx), lm(lx), [(tx, lx)])
