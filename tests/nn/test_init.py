"""nn.init: distributions checked statistically (the random streams differ from PyTorch's),
deterministic fills and errors against PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import leafgrad as lg
import leafgrad.nn as nn
from leafgrad.nn import init

from ._helpers import raises_like


def same_error(tfn, lfn):
    raises_like(tfn, lfn, translate=str)


def param(*shape, dtype=lg.float32):
    return nn.Parameter(lg.empty(*shape, dtype=dtype))


def values(t):
    return t.detach().numpy()


@pytest.mark.parametrize("dtype", [lg.float32, lg.float64])
def test_uniform_normal_on_parameters(dtype):
    lg.manual_seed(0)
    p = param(200, 100, dtype=dtype)
    v0 = p._version
    out = init.uniform_(p, -2.0, 3.0)
    assert out is p and p.is_leaf and p.requires_grad and p.grad_fn is None
    assert p.dtype == dtype and p._version > v0
    v = values(p)
    assert v.min() >= -2.0 and v.max() <= 3.0
    assert abs(v.mean() - 0.5) < 0.05 and abs(v.std() - 5 / math.sqrt(12)) < 0.05
    init.normal_(p, mean=1.0, std=0.5)
    v = values(p)
    assert abs(v.mean() - 1.0) < 0.02 and abs(v.std() - 0.5) < 0.02
    init.uniform_(p)
    assert values(p).min() >= 0 and values(p).max() <= 1


def test_generator_argument():
    g1, g2 = lg.Generator().manual_seed(7), lg.Generator().manual_seed(7)
    a, b = param(10), param(10)
    init.normal_(a, generator=g1)
    init.normal_(b, generator=g2)
    np.testing.assert_array_equal(values(a), values(b))
    init.uniform_(a, generator=g1)  # g1 has moved on: a new draw
    init.uniform_(b)  # the default generator is another stream
    assert not np.array_equal(values(a), values(b))
    c, d = param(4, 3), param(4, 3)
    init.kaiming_uniform_(c, generator=lg.Generator().manual_seed(1))
    init.kaiming_uniform_(d, generator=lg.Generator().manual_seed(1))
    np.testing.assert_array_equal(values(c), values(d))


def test_constant_ones_zeros_eye():
    p = param(3, 4)
    assert init.constant_(p, 2.5) is p
    assert np.all(values(p) == 2.5)
    init.ones_(p)
    assert np.all(values(p) == 1)
    init.zeros_(p)
    assert np.all(values(p) == 0)
    init.eye_(p)
    np.testing.assert_array_equal(values(p), np.eye(3, 4))
    assert p.requires_grad and p.is_leaf


@pytest.mark.torch
def test_deterministic_fills_match_torch(torch):
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 3, 3, 3), 1)]:
        t = torch.empty(shape)
        torch.nn.init.dirac_(t, groups)
        lt = lg.empty(*shape)
        init.dirac_(lt, groups)
        np.testing.assert_array_equal(lt.numpy(), t.numpy())
    for shape in [(2, 5), (5, 2)]:
        t = torch.empty(shape)
        torch.nn.init.eye_(t)
        lt = lg.empty(*shape)
        init.eye_(lt)
        np.testing.assert_array_equal(lt.numpy(), t.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("nl,param_", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                       ("tanh", None), ("relu", None), ("leaky_relu", None),
                                       ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None),
                                       ("conv_transpose3d", None)])
def test_calculate_gain(torch, nl, param_):
    assert init.calculate_gain(nl, param_) == torch.nn.init.calculate_gain(nl, param_)


@pytest.mark.torch
@pytest.mark.parametrize("call", [
    lambda i, T: i.calculate_gain("softmax"),
    lambda i, T: i.calculate_gain("leaky_relu", "x"),
    lambda i, T: i.calculate_gain("leaky_relu", True),
    lambda i, T: i._calculate_fan_in_and_fan_out(T.empty(3)),
    lambda i, T: i.xavier_uniform_(T.empty(3)),
    lambda i, T: i.kaiming_normal_(T.empty(3, 2), mode="fan_avg"),
    lambda i, T: i.eye_(T.empty(3)),
    lambda i, T: i.dirac_(T.empty(3, 3)),
    lambda i, T: i.dirac_(T.empty(3, 3, 3), groups=2),
    lambda i, T: i.orthogonal_(T.empty(3)),
    lambda i, T: i.sparse_(T.empty(3), 0.5),
])
def test_init_errors(torch, call):
    same_error(lambda: call(torch.nn.init, torch), lambda: call(init, lg))


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(3, 4), (8, 2, 3, 3), (5, 1, 7)])
def test_fans_match_torch(torch, shape):
    assert init._calculate_fan_in_and_fan_out(lg.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_xavier():
    lg.manual_seed(1)
    p = param(300, 200)
    init.xavier_uniform_(p, gain=2.0)
    a = 2.0 * math.sqrt(6.0 / 500)
    v = values(p)
    assert v.min() >= -a and v.max() <= a and v.max() > 0.95 * a
    assert abs(v.std() - a / math.sqrt(3)) < 0.02 * a
    init.xavier_normal_(p)
    assert abs(values(p).std() - math.sqrt(2.0 / 500)) < 0.02 * math.sqrt(2.0 / 500)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_IN"])
@pytest.mark.parametrize("nl,a", [("relu", 0), ("leaky_relu", math.sqrt(5)), ("tanh", 0)])
def test_kaiming(mode, nl, a):
    lg.manual_seed(2)
    p = param(100, 50, 3)
    fan = 150 if mode.lower() == "fan_in" else 300
    gain = init.calculate_gain(nl, a)
    std = gain / math.sqrt(fan)
    init.kaiming_uniform_(p, a=a, mode=mode, nonlinearity=nl)
    v = values(p)
    bound = math.sqrt(3) * std
    assert v.min() >= -bound and v.max() <= bound
    assert abs(v.std() - std) < 0.03 * std
    init.kaiming_normal_(p, a=a, mode=mode, nonlinearity=nl)
    assert abs(values(p).std() - std) < 0.03 * std
    assert abs(values(p).mean()) < 0.03 * std


def test_kaiming_zero_element_warns():
    p = param(0, 3)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        assert init.kaiming_normal_(p) is p


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (6, 2, 2)])
def test_orthogonal(shape):
    lg.manual_seed(3)
    p = param(*shape, dtype=lg.float64)
    init.orthogonal_(p, gain=2.0)
    m = values(p).reshape(shape[0], -1)
    if m.shape[0] <= m.shape[1]:
        np.testing.assert_allclose(m @ m.T, 4 * np.eye(m.shape[0]), atol=1e-10)
    else:
        np.testing.assert_allclose(m.T @ m, 4 * np.eye(m.shape[1]), atol=1e-10)


@pytest.mark.parametrize("a,b", [(-2.0, 2.0), (-0.5, 0.1), (0.5, 3.0)])
def test_trunc_normal(a, b):
    lg.manual_seed(4)
    p = param(4000)
    init.trunc_normal_(p, mean=0.0, std=1.0, a=a, b=b)
    v = values(p)
    assert v.min() >= a and v.max() <= b
    # mean of the truncated normal
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2  # noqa: E731
    mean = (pdf(a) - pdf(b)) / (cdf(b) - cdf(a))
    assert abs(v.mean() - mean) < 0.05


def test_trunc_normal_far_interval_warns():
    p = param(100)
    with pytest.warns(UserWarning, match="mean is more than 2 std"):
        init.trunc_normal_(p, mean=0.0, std=1.0, a=5.0, b=6.0)
    v = values(p)
    assert v.min() >= 5.0 and v.max() <= 6.0


def test_sparse():
    lg.manual_seed(5)
    p = param(10, 6)
    init.sparse_(p, sparsity=0.3, std=0.1)
    v = values(p)
    assert all((v[:, c] == 0).sum() >= 3 for c in range(6))


def test_deprecated_aliases():
    p = param(2, 2)
    with pytest.warns(FutureWarning, match="`nn.init.normal` is now deprecated in favor of "
                                           "`nn.init.normal_`"):
        init.normal(p)


def test_works_under_grad_mode_and_no_grad_is_not_needed():
    p = param(3, 3)
    with lg.enable_grad():
        init.normal_(p)
    (p * p).sum().backward()
    np.testing.assert_allclose(p.grad.numpy(), 2 * values(p))
