"""OpInfo entries: elementwise ops."""

from __future__ import annotations

from .opdb import OpInfo, Sample


def _binary(d):
    a = d.shape()
    return Sample(d.array(a), d.array(d.broadcastable(a)))


def _unary(lo=-2.0, hi=2.0, away=()):
    return lambda d: Sample(d.array(d.shape(), lo, hi, away_from=away))


ENTRIES = [
    OpInfo("add", _binary),
    OpInfo("mul", _binary, covers=("multiply",)),
    OpInfo("exp", _unary()),
    OpInfo("tanh", _unary()),
]
