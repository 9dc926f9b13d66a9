"""Activations against PyTorch beyond the op database: the activation modules (constructor
arguments, attributes, reprs, forward, gradients, node names), the errors (same type, same
message), the implicit-dim warnings, values and gradients at kinks and at extreme inputs,
and the ``inplace=True`` forms."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leafgrad
import leafgrad.nn as nn
import leafgrad.nn.functional as F

from ._helpers import assert_same_error, warnings_from

pytestmark = pytest.mark.torch

MODULES = {
    "ReLU": lambda T: T.nn.ReLU(),
    "ReLU_inplace_flag": lambda T: T.nn.ReLU(inplace=True),
    "ReLU6": lambda T: T.nn.ReLU6(),
    "Sigmoid": lambda T: T.nn.Sigmoid(),
    "Tanh": lambda T: T.nn.Tanh(),
    "GELU": lambda T: T.nn.GELU(),
    "GELU_tanh": lambda T: T.nn.GELU(approximate="tanh"),
    "SiLU": lambda T: T.nn.SiLU(),
    "Mish": lambda T: T.nn.Mish(),
    "LeakyReLU": lambda T: T.nn.LeakyReLU(),
    "LeakyReLU_slope": lambda T: T.nn.LeakyReLU(0.2),
    "ELU": lambda T: T.nn.ELU(),
    "ELU_alpha": lambda T: T.nn.ELU(alpha=0.5),
    "CELU": lambda T: T.nn.CELU(alpha=2.0),
    "SELU": lambda T: T.nn.SELU(),
    "Softplus": lambda T: T.nn.Softplus(),
    "Softplus_args": lambda T: T.nn.Softplus(beta=2, threshold=1.5),
    "Softsign": lambda T: T.nn.Softsign(),
    "Softmax": lambda T: T.nn.Softmax(dim=1),
    "Softmax_neg": lambda T: T.nn.Softmax(-1),
    "Softmin": lambda T: T.nn.Softmin(dim=0),
    "LogSoftmax": lambda T: T.nn.LogSoftmax(dim=1),
    "LogSigmoid": lambda T: T.nn.LogSigmoid(),
    "Hardtanh": lambda T: T.nn.Hardtanh(),
    "Hardtanh_args": lambda T: T.nn.Hardtanh(-2, 3),
    "Hardsigmoid": lambda T: T.nn.Hardsigmoid(),
    "Hardswish": lambda T: T.nn.Hardswish(),
    "Threshold": lambda T: T.nn.Threshold(0.1, 20.0),
    "Hardshrink": lambda T: T.nn.Hardshrink(),
    "Softshrink": lambda T: T.nn.Softshrink(0.3),
    "Tanhshrink": lambda T: T.nn.Tanhshrink(),
    "PReLU": lambda T: T.nn.PReLU(),
    "PReLU_channels": lambda T: T.nn.PReLU(3, init=0.1),
    "Softmax2d": lambda T: T.nn.Softmax2d(),
}

REPRS = {
    **MODULES,
    "ReLU6_inplace": lambda T: T.nn.ReLU6(inplace=True),
    "SiLU_inplace": lambda T: T.nn.SiLU(True),
    "Mish_inplace": lambda T: T.nn.Mish(True),
    "SELU_inplace": lambda T: T.nn.SELU(True),
    "Hardswish_inplace": lambda T: T.nn.Hardswish(True),
    "Hardsigmoid_inplace": lambda T: T.nn.Hardsigmoid(True),
    "ELU_inplace": lambda T: T.nn.ELU(0.3, True),
    "CELU_inplace": lambda T: T.nn.CELU(inplace=True),
    "LeakyReLU_inplace": lambda T: T.nn.LeakyReLU(0.1, True),
    "Hardtanh_inplace": lambda T: T.nn.Hardtanh(-0.5, 0.5, True),
    "Hardtanh_float_args": lambda T: T.nn.Hardtanh(-2.5, 3.0),
    "Softmax_none": lambda T: T.nn.Softmax(),
    "Sequential": lambda T: T.nn.Sequential(T.nn.Linear(2, 3), T.nn.ReLU(), T.nn.Softmax(1)),
    "Threshold_inplace": lambda T: T.nn.Threshold(-1, 2, inplace=True),
    "GLU": lambda T: T.nn.GLU(),
    "GLU_dim": lambda T: T.nn.GLU(dim=1),
    "RReLU": lambda T: T.nn.RReLU(),
    "RReLU_args": lambda T: T.nn.RReLU(0.1, 0.3, True),
}

_ATTRS = ("inplace", "negative_slope", "alpha", "approximate", "beta", "threshold", "min_val",
          "max_val", "dim", "value", "lambd", "num_parameters", "init", "lower", "upper")


@pytest.mark.parametrize("case", sorted(REPRS))
def test_module_repr_and_attributes_match_torch(case, torch):
    ours, theirs = REPRS[case](leafgrad), REPRS[case](torch)
    assert repr(ours) == repr(theirs)
    for a in _ATTRS:
        assert getattr(ours, a, None) == getattr(theirs, a, None), a
    assert isinstance(ours, nn.Module)


@pytest.mark.parametrize("case", sorted(MODULES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_module_forward_backward_matches_torch(case, dtype, torch):
    r = np.random.default_rng(len(case))
    shape = (2, 3, 4) if case.startswith(("PReLU", "Softmax2d")) else (3, 6)
    a = r.uniform(-5, 5, size=shape).astype(dtype)
    g = r.uniform(-1, 1, size=(3, 3) if case == "GLU" else shape).astype(dtype)
    out = []
    for T in (leafgrad, torch):
        if case == "ReLU_inplace_flag":
            x = T.tensor(a, requires_grad=True)
            y = T.nn.ReLU()(x)  # (the flag itself: see test_inplace_*)
        else:
            x = T.tensor(a, requires_grad=True)
            m = MODULES[case](T)
            y = (m.double() if dtype == "float64" else m)(x)
        y.backward(T.tensor(g))
        out.append((y.detach().numpy(), x.grad.numpy(), y.grad_fn.name(), str(y.dtype)))
    ours, theirs = out
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5, atol=1e-6)
    assert ours[2] == theirs[2]
    assert ours[3].split(".")[-1] == theirs[3].split(".")[-1]


def test_prelu_weight_gradient_and_training(torch):
    r = np.random.default_rng(0)
    a = r.uniform(-2, 2, size=(4, 3, 5)).astype("float32")
    res = []
    for T in (leafgrad, torch):
        m = T.nn.PReLU(3, init=0.2)
        x = T.tensor(a, requires_grad=True)
        (m(x) ** 2).sum().backward()
        res.append((m.weight.grad.numpy(), x.grad.numpy(), sorted(m.state_dict())))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-5)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-5)
    assert res[0][2] == res[1][2]


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3), (1,)])
def test_modules_on_empty_and_0d(shape, torch):
    for case in sorted(MODULES):
        if case.startswith(("Softmax", "Softmin", "LogSoftmax")) and len(shape) < 2 \
                or case == "Softmax2d" and len(shape) < 3 or case == "PReLU_channels":
            continue  # (needs a class dim / 3 channels)
        a = np.linspace(-2, 2, int(np.prod(shape))).reshape(shape).astype("float32")
        ours = MODULES[case](leafgrad)(leafgrad.tensor(a)).detach()
        theirs = MODULES[case](torch)(torch.tensor(a)).detach()
        assert tuple(ours.shape) == tuple(theirs.shape), case
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=case)


# -- errors ------------------------------------------------------------------------------------
def _F(T):
    return T.nn.functional


def _ints(T):
    return T.tensor([1, -2, 3])


def _call(name: str, arg):
    return lambda T: getattr(_F(T), name)(arg(T))


ERRORS = {
    **{f"{n}_int": _call(n, _ints)
       for n in ("gelu", "silu", "mish", "elu", "celu", "selu", "leaky_relu", "softplus",
                 "logsigmoid", "hardsigmoid", "hardswish")},
    **{f"{n}_list": _call(n, lambda T: [1.0, 2.0])
       for n in ("relu", "gelu", "leaky_relu", "hardtanh", "elu", "softsign")},
    "gelu_bad_approximate": lambda T: _F(T).gelu(T.ones(2), approximate="fast"),
    "hardtanh_min_gt_max": lambda T: _F(T).hardtanh(T.ones(2), 2.0, 1.0),
    "celu_alpha_zero": lambda T: _F(T).celu(T.ones(2), alpha=0.0),
    "softmax_int": lambda T: _F(T).softmax(_ints(T), 0),
    "log_softmax_int_implicit": lambda T: _F(T).log_softmax(_ints(T)),
    "softmax_dim_oob": lambda T: _F(T).softmax(T.ones(2, 3), 2),
    "module_hardtanh_bad_range": lambda T: T.nn.Hardtanh(1.0, -1.0),
    "module_gelu_bad_approximate": lambda T: T.nn.GELU("fast")(T.ones(2)),
    "softshrink_negative": lambda T: _F(T).softshrink(T.ones(2), -1.0),
    "softshrink_negative_double": lambda T: _F(T).softshrink(T.ones(2, dtype=T.float64), -0.5),
    "hardshrink_int": lambda T: _F(T).hardshrink(_ints(T)),
    "softshrink_int": lambda T: _F(T).softshrink(_ints(T)),
    "glu_odd": lambda T: _F(T).glu(T.ones(4, 5)),
    "glu_odd_dim0": lambda T: _F(T).glu(T.ones(3, 4), 0),
    "glu_scalar": lambda T: _F(T).glu(T.tensor(1.0)),
    "glu_dim_oob": lambda T: _F(T).glu(T.ones(4, 6), 3),
    "glu_int": lambda T: _F(T).glu(T.tensor([1, 2])),
    "prelu_mismatch": lambda T: _F(T).prelu(T.ones(4, 5), T.ones(3)),
    "prelu_1d_many": lambda T: _F(T).prelu(T.ones(5), T.ones(5)),
    "prelu_0d": lambda T: _F(T).prelu(T.tensor(1.0), T.ones(2)),
    "prelu_2d_weight": lambda T: _F(T).prelu(T.ones(4, 5), T.ones(5, 1)),
    "prelu_int": lambda T: _F(T).prelu(T.tensor([1, 2]), T.tensor([1])),
    "prelu_dtypes": lambda T: _F(T).prelu(T.ones(2, dtype=T.float64), T.ones(1)),
    "softmax2d_2d": lambda T: T.nn.Softmax2d()(T.ones(2, 3)),
    "rrelu_bounds": lambda T: _F(T).rrelu(T.ones(2), 0.5, 0.1),
    "rrelu_int": lambda T: _F(T).rrelu(_ints(T)),
    "rrelu_int_training": lambda T: _F(T).rrelu(_ints(T), training=True),
    "rrelu_list": lambda T: _F(T).rrelu([1.0]),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_matches_torch(case, torch):
    assert_same_error(case, ERRORS[case], torch, leafgrad)


# -- warnings ----------------------------------------------------------------------------------
WARNINGS = {
    "softmax_implicit_2d": lambda T: _F(T).softmax(T.ones(2, 3)),
    "softmax_implicit_3d": lambda T: _F(T).softmax(T.ones(2, 3, 4)),
    "log_softmax_implicit": lambda T: _F(T).log_softmax(T.ones(3)),
    "softmin_implicit": lambda T: _F(T).softmin(T.ones(2, 3, 4, 5)),
    "module_softmax_none": lambda T: T.nn.Softmax()(T.ones(2, 3)),
    "module_log_softmax_none": lambda T: T.nn.LogSoftmax()(T.ones(2)),
    "softmax_explicit": lambda T: _F(T).softmax(T.ones(2, 3), dim=0),
    "tanh_sigmoid": lambda T: (_F(T).tanh(T.ones(2)), _F(T).sigmoid(T.ones(2))),
}


@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_warning_matches_torch(case, torch):
    assert warnings_from(WARNINGS[case], leafgrad) == warnings_from(WARNINGS[case], torch)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4), (2, 3, 4, 2)])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_implicit_dim_values_match_torch(shape, fn, torch):
    a = np.random.default_rng(0).normal(size=shape).astype("float32")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = getattr(F, fn)(leafgrad.tensor(a))
        theirs = getattr(torch.nn.functional, fn)(torch.tensor(a))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)


# -- kinks and extremes: values and gradients ----------------------------------------------------
EXTREME = [-1e4, -100.0, -30.0, -20.0, -6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 20.0, 30.0, 100.0,
           1e4, math.inf, -math.inf, math.nan]
KINK_CALLS = {
    "relu": {}, "relu6": {}, "leaky_relu": dict(negative_slope=0.3), "elu": dict(alpha=0.7),
    "celu": dict(alpha=1.5), "selu": {}, "gelu": {}, "gelu_tanh": dict(approximate="tanh"),
    "silu": {}, "mish": {}, "softplus": {}, "softplus_beta": dict(beta=2.0, threshold=6.0),
    "softsign": {}, "hardtanh": dict(min_val=-3.0, max_val=6.0), "hardsigmoid": {},
    "hardswish": {}, "logsigmoid": {}, "sigmoid": {}, "tanh": {},
}


@pytest.mark.parametrize("case", sorted(KINK_CALLS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_kinks_and_extremes_match_torch(case, dtype, torch):
    name = case.split("_beta")[0].split("_tanh")[0]
    a = np.array(EXTREME, dtype)
    if case == "gelu":
        a = a[a != math.inf]  # PyTorch's exact gelu(inf) is nan (its kernel's inf * 0)
    res = []
    for T in (leafgrad, torch):
        x = T.tensor(a, requires_grad=True)
        with warnings.catch_warnings():
            if name not in ("sigmoid", "tanh", "softsign"):  # (core ops, tested elsewhere)
                warnings.simplefilter("error")  # no NumPy overflow / invalid-value warnings
            y = getattr(T.nn.functional, name)(x, **KINK_CALLS[case])
            y.backward(T.ones_like(y))
        res.append((y.detach().numpy(), x.grad.numpy()))
    (yo, go), (yt, gt) = res
    np.testing.assert_allclose(yo, yt, rtol=1e-5, atol=1e-6, equal_nan=True,
                               err_msg=f"{case} values")
    np.testing.assert_allclose(go, gt, rtol=1e-5, atol=1e-6, equal_nan=True,
                               err_msg=f"{case} gradients")


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(0, 6),
       case=st.sampled_from(sorted(KINK_CALLS)))
def test_double_backward_matches_torch(seed, n, case):
    torch = pytest.importorskip("torch")
    name = case.split("_beta")[0].split("_tanh")[0]
    a = np.random.default_rng(seed).uniform(-4, 4, size=n)
    res = []
    for T in (leafgrad, torch):
        x = T.tensor(a, requires_grad=True)
        y = getattr(T.nn.functional, name)(x, **KINK_CALLS[case])
        (g,) = T.autograd.grad(y.sum(), x, create_graph=True)
        # piecewise-linear: the gradient is constant (PyTorch has no hardsigmoid
        # double backward at all)
        if not g.requires_grad or name == "hardsigmoid":
            res.append((g.detach().numpy(), np.zeros_like(a)))
            continue
        (gg,) = T.autograd.grad((g * g).sum(), x, allow_unused=True)
        res.append((g.detach().numpy(), np.zeros_like(a) if gg is None else gg.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-7, atol=1e-10)


def test_relu_and_sigmoid_are_the_core_primitives():
    x = leafgrad.randn(3, requires_grad=True)
    assert F.relu(x).grad_fn.name() == "ReluBackward0"
    assert F.sigmoid is leafgrad.sigmoid
    assert F.tanh is leafgrad.tanh
    assert nn.ReLU()(x).grad_fn.name() == "ReluBackward0"


# -- inplace=True ------------------------------------------------------------------------------
_HAS_INPLACE = hasattr(leafgrad.Tensor, "copy_") and hasattr(leafgrad.Tensor, "relu_")
INPLACE = {
    "relu": lambda T, x: T.nn.functional.relu(x, inplace=True),
    "relu6": lambda T, x: T.nn.functional.relu6(x, inplace=True),
    "leaky_relu": lambda T, x: T.nn.functional.leaky_relu(x, 0.2, inplace=True),
    "elu": lambda T, x: T.nn.functional.elu(x, inplace=True),
    "selu": lambda T, x: T.nn.functional.selu(x, inplace=True),
    "celu": lambda T, x: T.nn.functional.celu(x, inplace=True),
    "hardtanh": lambda T, x: T.nn.functional.hardtanh(x, inplace=True),
    "silu": lambda T, x: T.nn.functional.silu(x, inplace=True),
    "mish": lambda T, x: T.nn.functional.mish(x, inplace=True),
    "hardswish": lambda T, x: T.nn.functional.hardswish(x, inplace=True),
    "hardsigmoid": lambda T, x: T.nn.functional.hardsigmoid(x, inplace=True),
    "module_relu": lambda T, x: T.nn.ReLU(inplace=True)(x),
}


@pytest.mark.skipif(not _HAS_INPLACE, reason="in-place tensor ops (copy_, relu_) not present")
@pytest.mark.parametrize("case", sorted(INPLACE))
def test_inplace_matches_torch(case, torch):
    a = np.array([-2.0, -0.5, 0.5, 2.0, 4.0], "float32")
    res = []
    for T in (leafgrad, torch):
        leaf = T.tensor(a, requires_grad=True)
        x = leaf * 1.0
        y = INPLACE[case](T, x)
        assert y is x
        assert x._version == 1
        y.backward(T.ones(5))
        res.append((x.detach().numpy(), leaf.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-6)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-6)


@pytest.mark.skipif(not _HAS_INPLACE, reason="in-place tensor ops (copy_, relu_) not present")
def test_inplace_on_leaf_is_torch_error(torch):
    msgs = []
    for T in (leafgrad, torch):
        with pytest.raises(RuntimeError) as e:
            T.nn.functional.relu(T.ones(2, requires_grad=True), inplace=True)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("inplace", [False, True])
def test_rrelu_training_draws_slopes_in_bounds(inplace, torch):
    """Training mode: positive inputs pass, negative ones are scaled by slopes drawn in
    [lower, upper] (leafgrad's generator: reproducible under manual_seed), and the gradient
    is that slope; the node is PyTorch's."""
    a = np.concatenate([np.linspace(-3, -0.1, 200), np.linspace(0.1, 3, 50)]).astype("float32")

    def run():
        leaf = leafgrad.tensor(a, requires_grad=True)
        x = leaf * 1.0
        m = nn.RReLU(0.1, 0.4, inplace=inplace)
        y = m(x)
        y.backward(leafgrad.ones(a.shape))
        return y.detach().numpy(), leaf.grad.numpy(), y.grad_fn.name()

    leafgrad.manual_seed(3)
    y, g, node = run()
    neg = a < 0
    np.testing.assert_array_equal(y[~neg], a[~neg])
    slopes = y[neg] / a[neg]
    assert (slopes >= 0.1 - 1e-6).all() and (slopes <= 0.4 + 1e-6).all()
    assert slopes.std() > 0.05  # drawn, not one slope
    np.testing.assert_allclose(g[neg], slopes, rtol=1e-5)
    np.testing.assert_array_equal(g[~neg], 1.0)
    t = torch.nn.RReLU(0.1, 0.4, inplace=inplace)
    assert node == t(torch.tensor(a, requires_grad=True) * 1.0).grad_fn.name()
    leafgrad.manual_seed(3)
    np.testing.assert_array_equal(run()[0], y)


def test_rrelu_module_eval_is_deterministic(torch):
    a = np.linspace(-3, 3, 13).astype("float32")
    m, t = nn.RReLU(0.1, 0.3), torch.nn.RReLU(0.1, 0.3)
    m.eval()
    t.eval()
    np.testing.assert_allclose(m(leafgrad.tensor(a)).numpy(), t(torch.tensor(a)).numpy())
