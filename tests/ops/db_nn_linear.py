"""OpInfo entries: ``F.linear`` and ``F.bilinear`` (``nn/_functional_linear.py``).

Inputs of 1 to 4 dims, with and without bias, contiguous or not: each takes one of the
graph shapes PyTorch records (addmm, flatten-addmm-view, matmul + add).
"""

from __future__ import annotations

import leafgrad.nn.functional  # noqa: F401  (makes ``leafgrad.nn`` an attribute)

from .opdb import OpInfo, Sample


def _F(name: str):
    def fn(T, *args, **kwargs):
        return getattr(T.nn.functional, name)(*args, **kwargs)

    return fn


def _linear(d):
    k, o = d.int(0, 4), d.int(1, 4)
    batch = d.shape(min_dims=0, max_dims=3, max_side=3)
    x = d.array(batch + (k,))
    w = d.array((o, k))
    if d.bool():
        return Sample(x, w, d.array((o,)))
    return Sample(x, w)


def _bilinear(d):
    i1, i2, o = d.int(1, 3), d.int(1, 3), d.int(1, 3)
    batch = d.shape(min_dims=0, max_dims=2, max_side=3)
    x1, x2 = d.array(batch + (i1,)), d.array(batch + (i2,))
    w = d.array((o, i1, i2))
    if d.bool():
        return Sample(x1, x2, w, d.array((o,)))
    return Sample(x1, x2, w)


ENTRIES = [
    OpInfo("linear", _linear, fn=_F("linear"), method=False, id="F_linear"),
    OpInfo("bilinear", _bilinear, fn=_F("bilinear"), method=False, id="F_bilinear"),
]
