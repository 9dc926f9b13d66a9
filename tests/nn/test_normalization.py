"""BatchNorm1d/2d/3d, LayerNorm, GroupNorm modules against PyTorch: parameters, buffers,
initialisation, reprs, training/eval values, running statistics, gradients, errors."""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest

import leafgrad as lg
import leafgrad.nn as nn

from ._helpers import close as _close
from ._helpers import copy_params as _copy_params
from ._helpers import outputs_and_grads_match, pair, training_losses_match

pytestmark = pytest.mark.torch


copy_params = functools.partial(_copy_params, buffers=True)


def close(t, lt, dt=np.float32) -> None:
    _close(t, lt, dt)


def close64(t, lt) -> None:
    _close(t, lt, np.float64)


def random_params_(torch, tm, rs) -> None:
    """Non-trivial (standard normal) parameters for the torch module."""
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.tensor(rs.randn(*p.shape)))


BN_CONFIGS = [
    {}, {"momentum": None}, {"affine": False}, {"track_running_stats": False},
    {"bias": False}, {"eps": 1e-3, "momentum": 0.3}, {"affine": False, "momentum": None,
                                                      "track_running_stats": False},
]


@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (4, 3)), ("BatchNorm1d", (4, 3, 5)),
                                       ("BatchNorm2d", (2, 3, 4, 5)),
                                       ("BatchNorm3d", (2, 3, 2, 2, 3))])
@pytest.mark.parametrize("cfg", BN_CONFIGS)
def test_batchnorm_module_matches_torch(torch, cls, shape, cfg):
    tm = getattr(torch.nn, cls)(3, **cfg)
    lm = getattr(nn, cls)(3, **cfg)
    assert repr(lm) == repr(tm)
    for (tn, tp), (ln, lp) in zip(tm.state_dict().items(), lm.state_dict().items()):
        assert tn == ln
        np.testing.assert_array_equal(lp.numpy(), tp.numpy())  # the initial state
        assert str(lp.dtype).split(".")[1] == str(tp.dtype).split(".")[1]
    rs = np.random.RandomState(0)
    for step in range(3):
        x = rs.randn(*shape).astype(np.float32) * 2 + step
        tx, lx = pair(torch, x)
        ty, ly = tm(tx), lm(lx)
        close(ty, ly)
        g = rs.randn(*shape).astype(np.float32)
        ty.backward(torch.tensor(g))
        ly.backward(lg.tensor(g))
        close(tx.grad, lx.grad)
        for (_n, tp), lp in zip(tm.named_parameters(), lm.parameters()):
            close(tp.grad, lp.grad)
        for (_n, tb), lb in zip(tm.named_buffers(), lm.buffers()):
            np.testing.assert_allclose(lb.numpy(), tb.numpy(), rtol=1e-5, atol=1e-6)
    tm.eval()
    lm.eval()
    x = rs.randn(*shape).astype(np.float32)
    close(tm(torch.tensor(x)), lm(lg.tensor(x)))


def test_batchnorm_float64_and_names():
    m = nn.BatchNorm2d(4, dtype=lg.float64)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert [n for n, _ in m.named_buffers()] == ["running_mean", "running_var",
                                                  "num_batches_tracked"]
    assert m.weight.dtype == lg.float64 and m.running_mean.dtype == lg.float64
    assert m.num_batches_tracked.dtype == lg.int64
    y = m(lg.randn(2, 4, 3, 3, dtype=lg.float64))
    assert y.grad_fn.name() == "NativeBatchNormBackward0"
    assert int(m.num_batches_tracked) == 1
    m.reset_running_stats()
    assert int(m.num_batches_tracked) == 0
    assert (m.running_var.numpy() == 1).all()


@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (2, 3, 4, 5)), ("BatchNorm1d", (3,)),
                                       ("BatchNorm2d", (2, 3, 4)), ("BatchNorm3d", (2, 3, 4, 5))])
def test_batchnorm_dim_errors(torch, cls, shape):
    with pytest.raises(ValueError) as info:
        getattr(torch.nn, cls)(3)(torch.randn(*shape))
    with pytest.raises(ValueError, match=re.escape(str(info.value))):
        getattr(nn, cls)(3)(lg.randn(*shape))


@pytest.mark.parametrize("shape,cfg", [
    (5, {}), ((2, 3), {"bias": False}), ([3], {"elementwise_affine": False}),
    (4, {"eps": 1e-3}), ((4,), {"dtype": "float64"})])
def test_layernorm_module_matches_torch(torch, shape, cfg):
    tcfg = dict(cfg, dtype=torch.float64) if "dtype" in cfg else cfg
    lcfg = dict(cfg, dtype=lg.float64) if "dtype" in cfg else cfg
    tm, lm = torch.nn.LayerNorm(shape, **tcfg), nn.LayerNorm(shape, **lcfg)
    assert repr(lm) == repr(tm)
    assert [n for n, _ in lm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    dt = np.float64 if "dtype" in cfg else np.float32
    rs = np.random.RandomState(1)
    random_params_(torch, tm, rs)
    copy_params(tm, lm)
    norm = (shape,) if isinstance(shape, int) else tuple(shape)
    x = rs.randn(2, 3, *norm).astype(dt)
    tx, lx = pair(torch, x)
    ty, ly = tm(tx), lm(lx)
    assert ly.grad_fn.name() == ty.grad_fn.name()
    outputs_and_grads_match(functools.partial(close, dt=dt), ty, ly, [(tx, lx)], tm, lm)


@pytest.mark.parametrize("groups,channels,cfg", [(2, 4, {}), (1, 3, {"affine": False}),
                                                 (3, 6, {"bias": False}), (4, 4, {"eps": 0.1})])
def test_groupnorm_module_matches_torch(torch, groups, channels, cfg):
    tm, lm = torch.nn.GroupNorm(groups, channels, **cfg), nn.GroupNorm(groups, channels, **cfg)
    assert repr(lm) == repr(tm)
    rs = np.random.RandomState(2)
    random_params_(torch, tm, rs)
    copy_params(tm, lm)
    x = rs.randn(2, channels, 3, 2).astype(np.float32)
    tx, lx = pair(torch, x)
    outputs_and_grads_match(close, tm(tx), lm(lx), [(tx, lx)], tm, lm)


def test_groupnorm_construction_error(torch):
    with pytest.raises(ValueError) as info:
        torch.nn.GroupNorm(3, 4)
    with pytest.raises(ValueError, match=re.escape(str(info.value))):
        nn.GroupNorm(3, 4)


@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm1d", (3, 5)),
                                       ("InstanceNorm2d", (2, 3, 4, 2)),
                                       ("InstanceNorm3d", (2, 3, 2, 2, 3))])
@pytest.mark.parametrize("cfg", [{}, {"affine": True}, {"track_running_stats": True},
                                 {"affine": True, "track_running_stats": True, "momentum": 0.4}])
def test_instancenorm_module_matches_torch(torch, cls, shape, cfg):
    tm = getattr(torch.nn, cls)(3, dtype=torch.float64, **cfg)
    lm = getattr(nn, cls)(3, dtype=lg.float64, **cfg)
    assert repr(lm) == repr(tm)
    rs = np.random.RandomState(3)
    random_params_(torch, tm, rs)
    copy_params(tm, lm)
    for mode in ("train", "eval"):
        getattr(tm, mode)()
        getattr(lm, mode)()
        x = rs.randn(*shape) + 1.0
        tx, lx = pair(torch, x)
        outputs_and_grads_match(close64, tm(tx), lm(lx), [(tx, lx)], tm, lm, power=3)
        for (_, tb), lb in zip(tm.named_buffers(), lm.buffers()):
            np.testing.assert_allclose(lb.numpy(), tb.numpy(), rtol=1e-9)


def test_instancenorm_errors(torch):
    for cls, shape in [("InstanceNorm1d", (2, 3, 4, 5)), ("InstanceNorm2d", (2, 3)),
                       ("InstanceNorm3d", (2, 3, 4))]:
        with pytest.raises(ValueError) as info:
            getattr(torch.nn, cls)(3)(torch.randn(*shape))
        with pytest.raises(ValueError, match=re.escape(str(info.value))):
            getattr(nn, cls)(3)(lg.randn(*shape))
    with pytest.raises(ValueError) as info:
        torch.nn.InstanceNorm1d(4, affine=True)(torch.randn(2, 3, 5))
    with pytest.raises(ValueError, match=re.escape(str(info.value))):
        nn.InstanceNorm1d(4, affine=True)(lg.randn(2, 3, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(4)(lg.randn(2, 3, 5))


@pytest.mark.parametrize("shape,cfg", [(3, {}), ((2, 3), {"eps": 1e-3}),
                                       (3, {"elementwise_affine": False})])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_rmsnorm_module_matches_torch(torch, shape, cfg, dt):
    tdt, ldt = (torch.float32, lg.float32) if dt == np.float32 else (torch.float64, lg.float64)
    tm, lm = torch.nn.RMSNorm(shape, dtype=tdt, **cfg), nn.RMSNorm(shape, dtype=ldt, **cfg)
    assert repr(lm) == repr(tm)
    rs = np.random.RandomState(4)
    random_params_(torch, tm, rs)
    copy_params(tm, lm)
    norm = (shape,) if isinstance(shape, int) else shape
    x = rs.randn(2, *norm).astype(dt)
    tx, lx = pair(torch, x)
    ty, ly = tm(tx), lm(lx)
    assert ly.grad_fn.name() == ty.grad_fn.name()
    outputs_and_grads_match(functools.partial(close, dt=dt), ty, ly, [(tx, lx)], tm, lm)


@pytest.mark.parametrize("shape", [(2, 5, 4), (2, 6, 3, 3), (1, 4, 2, 2, 3)])
@pytest.mark.parametrize("args", [(2,), (3, 1e-2, 0.5, 2.0)])
def test_local_response_norm_matches_torch(torch, shape, args):
    tm, lm = torch.nn.LocalResponseNorm(*args), nn.LocalResponseNorm(*args)
    assert repr(lm) == repr(tm)
    x = np.random.RandomState(5).randn(*shape)
    tx, lx = pair(torch, x)
    outputs_and_grads_match(close64, tm(tx), lm(lx), [(tx, lx)])
    with pytest.raises(ValueError) as info:
        tm(torch.randn(2, 3))
    with pytest.raises(ValueError, match=re.escape(str(info.value))):
        lm(lg.randn(2, 3))


def test_training_loop_with_norm_layers_matches_torch(torch):
    """A small CNN (conv, batch norm, pool, layer norm, group norm, linear) trained a few
    SGD steps from the same weights: losses and running statistics match PyTorch's."""
    import leafgrad.optim as loptim

    def build(T, N):
        T.manual_seed(0)
        return N.Sequential(N.Conv2d(1, 4, 3, padding=1), N.BatchNorm2d(4), N.ReLU(),
                            N.MaxPool2d(2), N.GroupNorm(2, 4), N.Flatten(), N.LayerNorm(16),
                            N.Linear(16, 3))

    tm, lm = build(torch, torch.nn), build(lg, nn)
    copy_params(tm, lm)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9)
    lopt = loptim.SGD(lm.parameters(), lr=0.1, momentum=0.9)
    rs = np.random.RandomState(0)
    batches = [(rs.randn(8, 1, 4, 4).astype(np.float32), rs.randint(0, 3, 8))
               for _ in range(4)]
    training_losses_match(torch, tm, lm, topt, lopt, batches)
    for (_, tb), lb in zip(tm.named_buffers(), lm.buffers()):
        np.testing.assert_allclose(lb.numpy(), tb.numpy(), rtol=1e-4, atol=1e-5)
    tm.eval()
    lm.eval()
    x = rs.randn(2, 1, 4, 4).astype(np.float32)
    close(tm(torch.tensor(x)), lm(lg.tensor(x)))
