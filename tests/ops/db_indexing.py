"""OpInfo entries: indexing ops (``x[...]``, gather/scatter, index_*, masked_*, sort ...).

Index specs are JSON-able lists (golden fixtures store samples as JSON), turned into
a PyTorch index by ``build_index``: an int, a bool, an array (an index tensor),
``["slice", start, stop, step]``, ``["list", ...]`` (a Python list), ``"none"``, ``"..."``.
Index tensors are integer or bool arrays, so they never require grad.
"""

from __future__ import annotations

import numpy as np

from .opdb import OpInfo, Sample


def build_index(spec: list) -> tuple:
    out = []
    for it in spec:
        if isinstance(it, str):
            out.append(None if it == "none" else Ellipsis)
        elif isinstance(it, list) and it and it[0] == "slice":
            out.append(slice(*it[1:]))
        elif isinstance(it, list) and it and it[0] == "list":
            out.append(list(it[1:]))
        else:
            out.append(it)
    return tuple(out)


def _getitem(T, x, spec):
    return x[build_index(spec)]


# -- index drawing ------------------------------------------------------------------------
def _slice(d, n: int) -> list:
    def bound():
        return None if d.int(0, 2) == 0 else d.int(-n - 1, n + 1)

    return ["slice", bound(), bound(), d.choice([None, 1, 1, 2, 3])]


def _int_index(d, n: int, shape: tuple) -> np.ndarray:
    """Integer index values for a dim of size ``n`` (negative ones too)."""
    if n == 0:
        return np.zeros((0,), np.int64)
    return d.ints(shape, -n, n)


def _index_spec(d, shape: tuple, adv: bool = True, masks: bool = True,
                bools: bool = True) -> list:
    """A mixed index for ``shape``: per dim an int, a slice, ``:``, an index tensor or a
    mask, with Nones (and bools) in between and maybe an Ellipsis for a run of ``:``."""
    items: list = []
    has_mask = False
    base = (d.int(1, 3),) if d.bool() else ()
    i = extra = 0
    while i < len(shape):
        n = shape[i]
        r = d.int(0, 9)
        if r == 6 and extra < 2:
            items.append("none")
            extra += 1
            continue
        if r == 7 and bools and extra < 2:
            items.append(d.bool())
            extra += 1
            continue
        if r <= 1 and n > 0:
            items.append(d.int(-n, n - 1))
        elif r <= 3:
            items.append(_slice(d, n))
        elif r <= 7 or not adv:
            items.append(":")
        elif r == 8 and masks and not has_mask and not base:
            k = d.int(1, min(2, len(shape) - i))
            items.append(d.mask(shape[i:i + k]))
            has_mask = True
            i += k
            continue
        elif n == 0:  # no valid index values: keep the dim whole
            items.append(":")
        else:
            items.append(_int_index(d, n, d.broadcastable(base, max_extra=0) if base else ()))
        i += 1
    if has_mask:  # a bool's count (0 or 1) might not broadcast with the mask's
        items = ["none" if isinstance(it, bool) else it for it in items]
    if has_mask or any(isinstance(it, bool) for it in items):
        # other index tensors must broadcast with a mask's (or a bool's) nonzero count
        items = [_int_index(d, shape_of(items, j, shape), (1,))
                 if isinstance(it, np.ndarray) and it.dtype != bool else it
                 for j, it in enumerate(items)]
    # Turn a run of ':' into an Ellipsis, or drop the trailing ones.
    colons = [j for j, it in enumerate(items) if isinstance(it, str) and it == ":"]
    if colons and d.bool():
        j = d.choice(colons)
        k = j
        while k < len(items) and isinstance(items[k], str) and items[k] == ":":
            k += 1
        items = items[:j] + ["..."] + items[k:]
    else:
        while items and isinstance(items[-1], str) and items[-1] == ":" and d.bool():
            items.pop()
    return [["slice", None, None, None] if isinstance(it, str) and it == ":" else it
            for it in items]


def shape_of(items: list, j: int, shape: tuple) -> int:
    """The size of the dim that item ``j`` of an index spec indexes."""
    dim = 0
    for it in items[:j]:
        if isinstance(it, (str, bool)) and it in ("none", True, False):
            continue
        if isinstance(it, np.ndarray) and it.dtype == bool:
            dim += it.ndim
        else:
            dim += 1
    return shape[dim]


def _x(d, min_dims=0, max_dims=3, min_side=0, max_side=4):
    return d.array(d.shape(min_dims, max_dims, min_side, max_side))


# -- __getitem__ ----------------------------------------------------------------------------
def _getitem_int(d):
    x = _x(d, 1, min_side=1)
    n = x.shape[0]
    return Sample(x, d.int(-n, n - 1))


def _getitem_slice(d):
    x = _x(d, 1)
    s = _slice(d, x.shape[0])
    return Sample(x, s[1], s[2], s[3])


def _getitem_basic(d):
    x = _x(d, 1)
    return Sample(x, _index_spec(d, x.shape, adv=False, bools=False))


def _getitem_tensor(d):
    x = _x(d, 1)
    n = x.shape[0]
    return Sample(x, _int_index(d, n, d.shape(0, 2, 0, 3) if n else (0,)))


def _getitem_tensors(d):
    x = _x(d, 2)
    base = d.shape(0, 2, 1, 3)
    spec: list = []
    for n in x.shape:
        r = d.int(0, 2)
        if r == 0 and n:
            spec.append(_int_index(d, n, d.broadcastable(base, max_extra=0) if base else ()))
        elif r == 1:
            spec.append(["slice", None, None, None])
        else:
            spec.append(_slice(d, n))
    if not any(isinstance(s, np.ndarray) for s in spec):
        spec[-1] = _int_index(d, x.shape[-1], base if x.shape[-1] else (0,))
    return Sample(x, spec)


def _getitem_mask(d):
    x = _x(d, 1)
    k = d.int(1, x.ndim)
    lead = d.int(0, x.ndim - k)
    spec = [["slice", None, None, None]] * lead + [d.mask(x.shape[lead:lead + k])]
    return Sample(x, spec)


def _getitem_mixed(d):
    x = _x(d, 1)
    return Sample(x, _index_spec(d, x.shape))


def _getitem_list(d):
    x = _x(d, 1, min_side=1)
    n = x.shape[0]
    idx = [d.int(-n, n - 1) for _ in range(d.int(1, 4))]
    if d.bool():
        return Sample(x, [["list"] + idx])
    return Sample(x, [["list"] + [d.bool() for _ in range(n)]])


def _getitem_0d(d):
    x = d.array(())
    return Sample(x, d.choice([["none"], ["..."], [], [True], [False], ["none", "..."]]))


# -- gather / scatter -----------------------------------------------------------------------
def _gather_like(d, distinct: bool = False, min_dims: int = 0):
    """(x, dim, index) with index no larger than x off ``dim``; distinct along ``dim``."""
    x = _x(d, min_dims)
    dim = d.dim(x.ndim)
    shape = x.shape if x.ndim else (1,)
    ax = dim % len(shape)
    n = shape[ax]
    ishape = tuple(d.int(0, s) if i != ax else (d.int(0, n) if distinct else d.int(0, 4))
                   for i, s in enumerate(shape))
    if n == 0:
        ishape = tuple(0 if i == ax else s for i, s in enumerate(ishape))
    if distinct:
        order = np.argsort(d.array(shape[:ax] + (n,) + shape[ax + 1:], noncontig=False),
                           axis=ax)
        index = order[tuple(slice(0, s) for s in ishape)].astype(np.int64)
    else:
        index = d.ints(ishape, 0, max(n, 1))
    if x.ndim == 0 and index.size == 1 and d.bool():
        index = index.reshape(())
    return x, dim, index


def _gather(d):
    x, dim, index = _gather_like(d)
    return Sample(x, dim, index)


def _scatter(d):
    x, dim, index = _gather_like(d, distinct=True)
    return Sample(x, dim, index, d.array(index.shape))


def _scatter_value(d):
    x, dim, index = _gather_like(d, distinct=True)
    return Sample(x, dim, index, d.choice([1.5, -2.0, 0]))


def _scatter_add(d):
    x, dim, index = _gather_like(d)
    return Sample(x, dim, index, d.array(index.shape))


def _scatter_reduce(reduce: str, zeros: bool = False):
    def samples(d):
        x, dim, index = _gather_like(d)
        away = () if zeros else (0,)
        lo, hi = (0.5, 2.0) if reduce == "prod" and not zeros else (-2.0, 2.0)
        src = d.array(index.shape, lo, hi, away_from=away)
        xs = d.array(x.shape, lo, hi, away_from=away)
        if zeros:  # exact zeros in self and src (prod's special cases)
            src = np.asarray(src * d.array(index.shape, 0, 1.4, noncontig=False).round())
            xs = np.asarray(xs * d.array(x.shape, 0, 1.4, noncontig=False).round())
        if reduce in ("amax", "amin") and xs.size + src.size:
            # Distinct values: at a tie the gradient is a convention (PyTorch splits it),
            # which finite differences cannot check.
            steps = np.arange(xs.size + src.size, dtype=xs.dtype) * 1e-3
            xs += steps[:xs.size].reshape(xs.shape)
            src += steps[xs.size:].reshape(src.shape)
        return Sample(xs, dim, index, src, reduce, include_self=d.bool())

    return samples


# -- index_* -------------------------------------------------------------------------------
def _index_like(d, distinct: bool = False, neg: bool = False):
    """(x, dim, index) with a vector (or 0-d) index for ``dim``."""
    x = _x(d)
    dim = d.dim(x.ndim)
    n = x.shape[dim] if x.ndim else 1
    if distinct:
        k = d.int(0, n)
        index = np.argsort(d.array((n,), noncontig=False))[:k].astype(np.int64)
    else:
        index = d.ints((d.int(0, 4) if n else 0,), -n if neg else 0, n)
    if index.size == 1 and d.bool():
        index = index.reshape(())
    if x.ndim == 0 and index.ndim == 1:
        index = index[:1] if index.size else np.zeros((1,), np.int64)
    return x, dim, index


def _source_shape(x, dim, index):
    if x.ndim == 0:
        return ()
    s = list(x.shape)
    s[dim] = index.size
    return tuple(s)


def _index_select(d):
    x, dim, index = _index_like(d)
    return Sample(x, dim, index)


def _index_add(d):
    x, dim, index = _index_like(d)
    kw = {"alpha": d.choice([1, 2.5, -1])} if d.bool() else {}
    return Sample(x, dim, index, d.array(_source_shape(x, dim, index)), **kw)


def _index_copy(d):
    x, dim, index = _index_like(d, distinct=True)
    return Sample(x, dim, index, d.array(_source_shape(x, dim, index)))


def _index_fill(d):
    x, dim, index = _index_like(d, neg=True)
    return Sample(x, dim, index, d.choice([0.5, -3.0, 2]))


def _index_fill_tensor(d):
    # No negative indices: PyTorch's gradient for the value fails on them.
    x, dim, index = _index_like(d)
    return Sample(x, dim, index, d.array(()))


# -- masked_* ------------------------------------------------------------------------------
def _mask_pair(d):
    """(x, mask) that broadcast together, either one bigger."""
    a = d.shape()
    b = d.broadcastable(a)
    if d.bool():
        a, b = b, a
    return d.array(a), d.mask(b)


def _masked_fill(d):
    x, m = _mask_pair(d)
    return Sample(x, m, d.choice([0.0, -1.5, 3]))


def _masked_fill_tensor(d):
    x, m = _mask_pair(d)
    return Sample(x, m, d.array(()))


def _masked_select(d):
    x, m = _mask_pair(d)
    return Sample(x, m)


def _masked_scatter(d):
    x, m = _mask_pair(d)
    n = int(np.broadcast_to(m, np.broadcast_shapes(x.shape, m.shape)).size)
    extra = d.int(0, 3)
    src = d.array((n + extra,) if d.bool() else (1, n + extra))
    return Sample(x, m, src)


# -- take / take_along_dim ----------------------------------------------------------------
def _take(d):
    x = _x(d, min_side=1)
    n = x.size
    return Sample(x, d.ints(d.shape(0, 2, 0, 3), -n, n))


def _take_along_dim(d):
    x = _x(d, 1)
    dim = d.dim(x.ndim)
    ax = dim % x.ndim
    n = x.shape[ax]
    ishape = list(d.broadcastable(x.shape, max_extra=0))
    ishape = [1] * (x.ndim - len(ishape)) + ishape
    ishape[ax] = d.int(0, 3) if n else 0
    return Sample(x, d.ints(tuple(ishape), 0, max(n, 1)), dim)


def _take_along_dim_flat(d):
    x = _x(d, min_side=1)
    return Sample(x, d.ints(d.shape(0, 2, 0, 3), 0, x.size))


# -- nonzero / sort family -----------------------------------------------------------------
def _with_zeros(d):
    shape = d.shape()
    return np.asarray(d.array(shape) * d.mask(shape))


def _nonzero(d):
    return Sample(_with_zeros(d))


def _sort(d):
    x = _x(d)
    kw = {}
    if d.bool():
        kw["descending"] = d.bool()
    if d.bool():  # PyTorch's overload with ``stable`` takes dim as a keyword
        return Sample(x, dim=d.dim(x.ndim), stable=d.bool(), **kw)
    return Sample(x, d.dim(x.ndim), **kw)


def _ties(d):
    """Small integers as floats: many ties (for stable sorts)."""
    shape = d.shape()
    return d.ints(shape, -2, 3).astype(d.dtype)


def _sort_stable_samples(d):
    x = _ties(d)
    return Sample(x, dim=d.dim(x.ndim), stable=True, descending=d.bool())


def _topk(d):
    x = _x(d)
    dim = d.dim(x.ndim)
    n = x.shape[dim] if x.ndim else 1
    return Sample(x, d.int(0, n), dim, largest=d.bool())


def _kthvalue(d):
    x = _x(d, min_side=1)
    dim = d.dim(x.ndim)
    n = x.shape[dim] if x.ndim else 1
    return Sample(x, d.int(1, n), dim, keepdim=d.bool())


def _searchsorted(d):
    if d.bool():
        seq = np.sort(d.array((d.int(0, 5),), noncontig=False))
        vals = d.array(d.shape(0, 2))
    else:
        lead = d.shape(1, 2, 1, 3)
        seq = np.sort(d.array(lead + (d.int(1, 4),), noncontig=False), axis=-1)
        vals = d.array(lead + (d.int(0, 3),))
    kw = d.choice([{}, {"right": True}, {"side": "right"}, {"side": "left"}])
    return Sample(seq, vals, **kw)


def _searchsorted_scalar(d):
    seq = np.sort(d.array((d.int(1, 5),), noncontig=False))
    return Sample(seq, d.choice([0.0, 1.0, -1.0, 0.5]), right=d.bool())


def _unique(d):
    x = d.ints(d.shape(), -2, 3)
    if d.bool():
        x = x.astype(d.dtype)
    return Sample(x, return_inverse=d.bool(), return_counts=d.bool())


def _unique_dim(d):
    x = d.ints(d.shape(1, 3, 1), 0, 2)
    return Sample(x, return_inverse=d.bool(), return_counts=d.bool(), dim=d.dim(x.ndim))


def _gi(id_, samples, **kw):
    return OpInfo("__getitem__", samples, fn=kw.pop("fn", _getitem), method=False, id=id_,
                  **kw)


def _sorted_topk(T, x, k, dim, largest):
    # sorted=False leaves the order unspecified: compare the values after sorting them.
    v = T.topk(x, k, dim, largest, sorted=False).values
    return T.sort(v, dim).values


ENTRIES = [
    _gi("getitem_int", _getitem_int, fn=lambda T, x, i: x[i]),
    _gi("getitem_slice", _getitem_slice, fn=lambda T, x, a, b, c: x[a:b:c]),
    _gi("getitem_basic", _getitem_basic),
    _gi("getitem_tensor", _getitem_tensor, fn=lambda T, x, i: x[i]),
    _gi("getitem_tensors", _getitem_tensors),
    _gi("getitem_mask", _getitem_mask),
    _gi("getitem_mixed", _getitem_mixed, examples=30),
    _gi("getitem_list", _getitem_list),
    _gi("getitem_0d", _getitem_0d),
    OpInfo("gather", _gather),
    OpInfo("scatter", _scatter),
    OpInfo("scatter", _scatter_value, id="scatter_value"),
    OpInfo("scatter_add", _scatter_add),
    OpInfo("scatter_reduce", _scatter_reduce("sum"), id="scatter_reduce_sum"),
    OpInfo("scatter_reduce", _scatter_reduce("prod"), id="scatter_reduce_prod"),
    OpInfo("scatter_reduce", _scatter_reduce("prod", zeros=True), id="scatter_reduce_prod0",
           gradgrad=False),  # second derivatives are not exact with two zeros in one slot
    OpInfo("scatter_reduce", _scatter_reduce("mean"), id="scatter_reduce_mean"),
    OpInfo("scatter_reduce", _scatter_reduce("amax"), id="scatter_reduce_amax"),
    OpInfo("scatter_reduce", _scatter_reduce("amin"), id="scatter_reduce_amin"),
    OpInfo("index_select", _index_select),
    OpInfo("index_add", _index_add),
    OpInfo("index_copy", _index_copy),
    OpInfo("index_fill", _index_fill),
    OpInfo("index_fill", _index_fill_tensor, id="index_fill_tensor"),
    OpInfo("masked_fill", _masked_fill),
    OpInfo("masked_fill", _masked_fill_tensor, id="masked_fill_tensor"),
    OpInfo("masked_select", _masked_select),
    OpInfo("masked_scatter", _masked_scatter),
    OpInfo("take", _take),
    OpInfo("take_along_dim", _take_along_dim),
    OpInfo("take_along_dim", _take_along_dim_flat, id="take_along_dim_flat"),
    OpInfo("nonzero", _nonzero, grad=False),
    OpInfo("nonzero", _nonzero, fn=lambda T, x: T.nonzero(x, as_tuple=True), method=False,
           grad=False, id="nonzero_tuple"),
    OpInfo("argwhere", _nonzero, grad=False),
    OpInfo("sort", _sort),
    # Ties are kinks: finite differences cannot check them (test_indexing_errors.py
    # compares their gradients with PyTorch's).
    OpInfo("sort", _sort_stable_samples, grad=False, id="sort_stable"),
    OpInfo("argsort", _sort, grad=False),
    OpInfo("argsort", _sort_stable_samples, grad=False, id="argsort_stable"),
    OpInfo("msort", lambda d: Sample(_x(d, 1))),
    OpInfo("topk", _topk),
    OpInfo("topk", _topk, fn=_sorted_topk, method=False, id="topk_unsorted"),
    OpInfo("kthvalue", _kthvalue),
    OpInfo("searchsorted", _searchsorted, method=False, grad=False),
    OpInfo("searchsorted", _searchsorted_scalar, method=False, grad=False,
           id="searchsorted_scalar"),
    OpInfo("unique", _unique, grad=False),
    OpInfo("unique", _unique_dim, grad=False, id="unique_dim"),
]
