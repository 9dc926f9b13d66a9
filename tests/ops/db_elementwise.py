"""OpInfo entries: elementwise ops."""

from __future__ import annotations

from .opdb import OpInfo, Sample


def _binary(d):
    a = d.shape()
    return Sample(d.array(a), d.array(d.broadcastable(a)))


def _divisor(d):
    a = d.shape()
    return Sample(d.array(a), d.array(d.broadcastable(a), 0.5, 2.0))


def _unary(lo=-2.0, hi=2.0, away=()):
    return lambda d: Sample(d.array(d.shape(), lo, hi, away_from=away))


def _pow_tensor(d):
    a = d.shape()
    return Sample(d.array(a, 0.3, 2.0), d.array(d.broadcastable(a), -1.0, 2.0))


ENTRIES = [
    OpInfo("add", _binary),
    OpInfo("add", lambda d: Sample(d.array(d.shape()), d.choice([2.5, -1.0, 3])),
           id="add_scalar"),
    OpInfo("sub", _binary, covers=("subtract",)),
    OpInfo("rsub", lambda d: Sample(d.array(d.shape()), 1.5), method=False,
           fn=lambda T, x, c: c - x),
    OpInfo("mul", _binary, covers=("multiply",)),
    OpInfo("mul", lambda d: Sample(d.array(d.shape()), 0.5), id="mul_scalar"),
    OpInfo("div", _divisor, covers=("divide", "true_divide")),
    OpInfo("neg", _unary(), covers=("negative",)),
    OpInfo("exp", _unary()),
    OpInfo("log", _unary(0.2, 3.0)),
    OpInfo("sqrt", _unary(0.2, 3.0)),
    OpInfo("tanh", _unary()),
    OpInfo("sigmoid", _unary(-4.0, 4.0)),
    OpInfo("relu", _unary(away=(0.0,))),
    OpInfo("pow", lambda d: Sample(d.array(d.shape(), 0.3, 2.0), d.choice([2, 3, 0.5, -1.5])),
           id="pow_scalar"),
    OpInfo("pow", lambda d: _pow_tensor(d), id="pow_tensor"),
]
