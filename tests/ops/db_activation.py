"""OpInfo entries: the activations of ``nn.functional`` (``F.<name>`` on both modules).

Values are drawn away from each function's kinks (0 for relu and elu, the clamp bounds for
hardtanh and relu6, +-3 for hardsigmoid/hardswish, the linear threshold of softplus), so
finite differences and PyTorch's one-sided choice at the kink do not meet.
"""

from __future__ import annotations

import leafgrad.nn.functional  # noqa: F401  (makes ``leafgrad.nn`` an attribute)

from .opdb import OpInfo, Sample


def _F(name: str):
    def fn(T, *args, **kwargs):
        return getattr(T.nn.functional, name)(*args, **kwargs)

    return fn


def _unary(lo: float = -3.0, hi: float = 3.0, away=(), kw=None):
    def samples(d):
        kwargs = kw(d) if kw is not None else {}
        return Sample(d.array(d.shape(max_dims=3), lo, hi, away_from=away), **kwargs)

    return samples


def _leaky(d):
    return dict(negative_slope=d.choice([0.01, 0.2, -0.5, 1.5]))


def _nonneg_leaky(d):
    """(PyTorch refuses the backward of an in-place leaky_relu with a negative slope.)"""
    return dict(negative_slope=d.choice([0.01, 0.2, 1.5]))


def _alpha(d):
    return dict(alpha=d.choice([1.0, 0.5, 2.5]))


def _hardtanh(d):
    lo = d.choice([-1.0, -2.0, 0.5])
    hi = d.choice([1.0, 1.5, 2.5])
    shape = d.shape(max_dims=3)
    return Sample(d.array(shape, -3.0, 3.0, away_from=(lo, hi)), min_val=lo, max_val=hi)


def _softplus(d):
    beta = d.choice([1.0, 2.0, 0.5])
    threshold = d.choice([20.0, 1.0, 2.0])
    shape = d.shape(max_dims=3)
    return Sample(d.array(shape, -4.0, 4.0, away_from=(threshold / beta,)), beta=beta,
                  threshold=threshold)


def _softmax(d):
    shape = d.shape(max_dims=3)
    return Sample(d.array(shape, -4.0, 4.0), dim=d.dim(len(shape)))


def _act(name: str, samples, method: bool = False, **kw) -> OpInfo:
    return OpInfo(name, samples, fn=_F(name), method=method, id=f"F_{name}", **kw)


ENTRIES = [
    _act("relu", _unary(away=(0.0,))),
    _act("relu6", _unary(-2.0, 8.0, away=(0.0, 6.0))),
    _act("leaky_relu", _unary(away=(0.0,), kw=_leaky)),
    _act("elu", _unary(away=(0.0,), kw=_alpha)),
    _act("celu", _unary(away=(0.0,), kw=_alpha)),
    _act("selu", _unary(away=(0.0,))),
    _act("gelu", _unary()),
    OpInfo("gelu", _unary(), fn=lambda T, x: T.nn.functional.gelu(x, approximate="tanh"),
           method=False, id="F_gelu_tanh"),
    _act("silu", _unary(-6.0, 6.0)),
    _act("mish", _unary(-6.0, 6.0)),
    _act("softplus", _softplus),
    _act("softsign", _unary(away=(0.0,))),
    _act("hardtanh", _hardtanh),
    _act("hardsigmoid", _unary(-5.0, 5.0, away=(-3.0, 3.0))),
    _act("hardswish", _unary(-5.0, 5.0, away=(-3.0, 3.0))),
    _act("logsigmoid", _unary(-8.0, 8.0)),
    _act("sigmoid", _unary()),
    _act("tanh", _unary()),
    _act("softmax", _softmax),
    _act("log_softmax", _softmax),
    _act("softmin", _softmax),
]


def _inplace(name: str, samples, **kw) -> OpInfo:
    """``F.<name>_`` on a non-leaf copy of the input (in place on a leaf is an error)."""

    def fn(T, x, *args, **kwargs):
        return getattr(T.nn.functional, name)(x * 1.0, *args, **kwargs)

    return OpInfo(name, samples, fn=fn, method=False, id=f"F_{name}", **kw)


ENTRIES += [
    _inplace("relu_", _unary(away=(0.0,))),
    _inplace("leaky_relu_", _unary(away=(0.0,), kw=_nonneg_leaky)),
    _inplace("elu_", _unary(away=(0.0,), kw=_alpha)),
    _inplace("celu_", _unary(away=(0.0,), kw=_alpha)),
    _inplace("selu_", _unary(away=(0.0,))),
    _inplace("hardtanh_", _hardtanh),
]


def _shrink(d):
    lambd = d.choice([0.5, 0.2, 1.0])
    shape = d.shape(max_dims=3)
    return Sample(d.array(shape, -3.0, 3.0, away_from=(-lambd, lambd)), lambd=lambd)


def _threshold(d):
    th = d.choice([0.0, 0.5, -1.0])
    shape = d.shape(max_dims=3)
    return Sample(d.array(shape, -3.0, 3.0, away_from=(th,)), th, d.choice([0.0, 20.0, -2.5]))


def _glu(d):
    shape = list(d.shape(min_dims=1, max_dims=3))
    dim = d.dim(len(shape))
    shape[dim] = 2 * d.int(0, 2)
    return Sample(d.array(tuple(shape), -3.0, 3.0), dim=dim)


def _prelu(d):
    shape = d.shape(max_dims=4)
    per_channel = len(shape) >= 2 and d.bool()
    n = shape[1] if per_channel else 1
    wshape = (n,) if per_channel or d.bool() else ()
    return Sample(d.array(shape, -3.0, 3.0, away_from=(0.0,)),
                  d.array(wshape, -0.5, 1.0, noncontig=False))


ENTRIES += [
    _act("threshold", _threshold),
    _inplace("threshold_", _threshold),
    _act("hardshrink", _shrink, method=True),
    _act("softshrink", _shrink),
    _act("tanhshrink", _unary()),
    _act("glu", _glu),
    _act("prelu", _prelu, method=True),
]


def _dtype_fn(name: str):
    def fn(T, x, dim):
        return getattr(T.nn.functional, name)(x, dim, dtype=T.float64)

    return fn


ENTRIES += [
    OpInfo(n, _softmax, fn=_dtype_fn(n), method=False, id=f"F_{n}_dtype", dtypes=("float32",))
    for n in ("softmax", "log_softmax", "softmin")
]


def _rrelu(negative: bool = True):
    bounds = [(0.125, 1 / 3), (0.0, 0.5)] + ([(-0.2, 0.1)] if negative else [])

    def samples(d):
        lower, upper = d.choice(bounds)
        return Sample(d.array(d.shape(max_dims=3), -3.0, 3.0, away_from=(0.0,)), lower, upper)

    return samples


ENTRIES += [
    _act("rrelu", _rrelu()),  # (evaluation mode: deterministic; training: test_activation_modules)
    _inplace("rrelu_", _rrelu(negative=False)),  # (PyTorch refuses a negative in-place slope)
]
