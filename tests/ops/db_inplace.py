"""OpInfo entries: the out-of-place twins of in-place ops (``index_put``).

The in-place methods themselves are tested against PyTorch in ``test_inplace.py``."""

from __future__ import annotations

import numpy as np

from .opdb import OpInfo, Sample


def _index_put(d):
    shape = d.shape(min_dims=1)
    n = shape[0]
    k = d.int(1, 4)
    idx = d.ints((k,), -n, n) if n else d.ints((0,), 0, 1)
    accumulate = d.bool()
    if not accumulate and n:
        idx = np.unique(idx % n)  # which duplicate write wins is unspecified
    vshape = (len(idx),) + shape[1:]
    if d.bool() and len(vshape) > 1:
        vshape = vshape[1:]  # broadcast along the index dim
    return Sample(d.array(shape), idx, d.array(vshape), accumulate)


ENTRIES = [
    OpInfo("index_put", _index_put,
           fn=lambda T, x, idx, v, acc: T.index_put(x, (idx,), v, accumulate=acc),
           method=False, gradgrad=True),
]
