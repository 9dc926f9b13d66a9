"""OpInfo entries: reduction ops."""

from __future__ import annotations

from .opdb import OpInfo, Sample


def _reduce(d):
    shape = d.shape(max_dims=3)
    kw = {}
    if d.bool() and shape:
        kw = dict(dim=d.dim(len(shape)), keepdim=d.bool())
    return Sample(d.array(shape), **kw)


def _mean(d):
    shape = d.shape(max_dims=3, min_side=1)
    kw = {}
    if d.bool() and shape:
        kw = dict(dim=d.dim(len(shape)), keepdim=d.bool())
    return Sample(d.array(shape), **kw)


ENTRIES = [
    OpInfo("sum", _reduce),
    OpInfo("mean", _mean),
]
