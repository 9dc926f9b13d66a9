"""Dropout modules: reprs, training vs eval, scaling, channel masks, errors (PyTorch's)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import leafgrad as lg
import leafgrad.nn as nn

CLASSES = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d"]
SHAPES = {"Dropout": (6, 50), "Dropout1d": (4, 8, 20), "Dropout2d": (4, 8, 3, 5),
          "Dropout3d": (2, 8, 2, 3, 4)}


@pytest.mark.torch
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("args", [(), (0.2,), (0.7, True), (0.0,), (1.0,)])
def test_repr_matches_torch(torch, cls, args):
    assert repr(getattr(nn, cls)(*args)) == repr(getattr(torch.nn, cls)(*args))


@pytest.mark.torch
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("p", [1.5, -0.5])
def test_bad_probability(torch, cls, p):
    with pytest.raises(ValueError) as info:
        getattr(torch.nn, cls)(p)
    with pytest.raises(ValueError, match=re.escape(str(info.value))):
        getattr(nn, cls)(p)


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("p", [0.25, 0.6])
def test_training_masks_and_eval_identity(cls, p):
    lg.manual_seed(3)
    m = getattr(nn, cls)(p)
    x = (lg.rand(*SHAPES[cls]) + 1.0).requires_grad_()
    y = m(x)
    a, ya = x.detach().numpy(), y.detach().numpy()
    kept = ya != 0
    np.testing.assert_allclose(ya[kept], a[kept] / (1 - p), rtol=1e-6)
    if cls != "Dropout":  # whole channels are dropped together
        red = tuple(range(2, a.ndim))
        assert (kept.all(red) | (~kept).all(red)).all()
    assert 0 < kept.mean() < 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / (1 - p), rtol=1e-6)
    m.eval()
    assert m(x) is x
    m.train()
    assert m.training


def test_drop_rate_statistics():
    lg.manual_seed(0)
    y = nn.Dropout(0.3)(lg.ones(100000)).numpy()
    assert abs((y == 0).mean() - 0.3) < 0.01


def test_p_edges():
    x = lg.randn(10, requires_grad=True)
    assert nn.Dropout(0.0)(x) is x
    y = nn.Dropout(1.0)(x)
    assert (y.detach().numpy() == 0).all() and y.grad_fn.name() == "MulBackward0"


def test_seeded_masks_repeat():
    lg.manual_seed(7)
    a = nn.Dropout()(lg.ones(64)).numpy()
    lg.manual_seed(7)
    b = nn.Dropout()(lg.ones(64)).numpy()
    np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(not hasattr(lg.Tensor, "mul_"), reason="in-place ops (Tensor.mul_) not "
                    "available yet")
def test_inplace_dropout():
    lg.manual_seed(1)
    x = lg.ones(1000)
    y = nn.Dropout(0.5, inplace=True)(x)
    assert y is x
    assert set(np.unique(x.numpy())) <= {0.0, 2.0}


@pytest.mark.torch
@pytest.mark.parametrize("cls", ["AlphaDropout", "FeatureAlphaDropout"])
@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_statistics_match_torch(torch, cls, p):
    """Random streams differ; the distribution does not: same dropped value, mean, std."""
    shape = (200, 250) if cls == "AlphaDropout" else (200, 250, 1)
    x = np.random.RandomState(0).randn(*shape).astype(np.float32)
    torch.manual_seed(0)
    lg.manual_seed(0)
    ty = getattr(torch.nn, cls)(p)(torch.tensor(x)).numpy()
    ly = getattr(nn, cls)(p)(lg.tensor(x)).numpy()
    assert repr(getattr(nn, cls)(p)) == repr(getattr(torch.nn, cls)(p))
    values, counts = np.unique(ty, return_counts=True)
    dropped_value = values[counts.argmax()]  # torch's value for a dropped unit
    assert np.isclose(ly, dropped_value, atol=1e-4).mean() == pytest.approx(p, abs=0.01)
    assert abs(ly.mean() - ty.mean()) < 0.01 and abs(ly.std() - ty.std()) < 0.01
    m = getattr(nn, cls)(p)
    m.eval()
    xx = lg.tensor(x)
    assert m(xx) is xx
