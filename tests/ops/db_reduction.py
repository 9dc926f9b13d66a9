"""OpInfo entries: reductions, scans and softmax.

Dims are drawn in every form PyTorch takes (an int, negative or not, a tuple, ``()``,
``None`` spelled out) with ``keepdim`` both ways, on 0-d, empty and non-contiguous inputs.
Values come from continuous draws, so max/min-like ops meet no ties (the tie rule has its
own tests in ``test_reduction_errors.py``); ops with a kink at 0 draw values away from it.
"""

from __future__ import annotations

import math

import numpy as np

from .opdb import OpInfo, Sample

INF = math.inf


# -- dim / keepdim keyword sets ---------------------------------------------------------------
def _dim_kw(d, nd: int, none: bool = True, tuples: bool = True) -> dict:
    """No dim, an int dim, a tuple of dims (maybe ``()``), or ``dim=None``; keepdim drawn."""
    mode = d.int(0, 3 if none else 2)
    if mode == 0:
        return {}
    if mode == 1 or not tuples:
        return dict(dim=d.dim(nd), keepdim=d.bool())
    if mode == 2:
        return dict(dim=d.dims(nd), keepdim=d.bool())
    return dict(dim=None, keepdim=d.bool())


def _reduce(min_side: int = 0, lo: float = -2.0, hi: float = 2.0, away=(), none: bool = True,
            tuples: bool = True, min_dims: int = 0):
    def samples(d):
        shape = d.shape(min_dims=min_dims, max_dims=3, min_side=min_side)
        return Sample(d.array(shape, lo, hi, away_from=away),
                      **_dim_kw(d, len(shape), none, tuples))

    return samples


def _with_nans(d):
    shape = d.shape(max_dims=3)
    a = d.array(shape, noncontig=False)
    a[d.mask(shape)] = np.nan
    return Sample(a, **_dim_kw(d, len(shape), none=True))


def _with_nans_some_kept(d):
    """NaNs, but none of the reduced slices all NaN (its mean is NaN: no gradient to check)."""
    s = _with_nans(d)
    a = s.args[0]
    dim = s.kwargs.get("dim")
    axes = None if dim is None or dim == () or a.ndim == 0 else dim
    allnan = np.isnan(a).all(axis=axes, keepdims=True)
    if allnan.any():
        a = np.where(allnan & np.isnan(a), 0.75, a)
    return Sample(a, **s.kwargs)


# -- sum / mean / nansum / nanmean --------------------------------------------------------------
def _sum_dtype(d):
    shape = d.shape(max_dims=3)
    kw = _dim_kw(d, len(shape))
    return Sample(d.array(shape), **kw)


def _int_sum(d):
    shape = d.shape(max_dims=3)
    kind = d.choice(["int64", "int32", "uint8", "bool", "int16"])
    a = d.mask(shape) if kind == "bool" else d.ints(shape, 0, 50, dtype=kind)
    return Sample(a, **_dim_kw(d, len(shape)))


def _mean_dtype(d):
    shape = d.shape(max_dims=3, min_side=1)
    a = d.ints(shape, -5, 5, dtype=d.choice(["int64", "int32"])) if d.bool() else d.array(shape)
    return Sample(a, **_dim_kw(d, len(shape)))


# -- prod -----------------------------------------------------------------------------------------
def _prod(d):
    shape = d.shape(max_dims=3)
    a = d.array(shape, -1.5, 1.5, away_from=(0.0,))
    if shape and d.bool():
        return Sample(a, d.dim(len(shape)), keepdim=d.bool())
    return Sample(a)


def _prod_zeros(d):
    """Exact zeros (one, two or more per slice) exercise the zero-aware gradient."""
    shape = d.shape(min_dims=1, max_dims=3, min_side=1)
    a = d.array(shape, -1.5, 1.5, noncontig=False)
    a[d.mask(shape)] = 0.0
    if d.bool():
        return Sample(a, d.dim(len(shape)), keepdim=d.bool())
    return Sample(a)


def _prod_int(d):
    shape = d.shape(max_dims=2)
    kind = d.choice(["int64", "int32", "bool", "uint8"])
    a = d.mask(shape) if kind == "bool" else d.ints(shape, -3, 4, dtype=kind)
    if kind == "uint8":
        a = d.ints(shape, 0, 4, dtype=kind)
    if shape and d.bool():
        return Sample(a, d.dim(len(shape)))
    return Sample(a)


# -- amax / max / argmax ---------------------------------------------------------------------------
def _amax(d):
    shape = d.shape(max_dims=3, min_side=1)
    return Sample(d.array(shape), **_dim_kw(d, len(shape), none=True))


def _amax_empty(d):
    """Empty inputs reduce over a non-empty dim."""
    shape = d.shape(min_dims=2, max_dims=3, min_side=1)
    shape = (0,) + shape[1:]
    return Sample(d.array(shape), dim=d.int(1, len(shape) - 1), keepdim=d.bool())


def _max_all(d):
    return Sample(d.array(d.shape(max_dims=3, min_side=1)))


def _max_dim(d):
    shape = d.shape(max_dims=3, min_side=1)
    return Sample(d.array(shape), d.dim(len(shape)), keepdim=d.bool())


def _max_other(d):
    a = d.shape()
    # Shifted so that two draws from one seed (hypothesis shrinks to that) never tie.
    y = d.array(d.broadcastable(a))
    y += 0.25
    return Sample(d.array(a), y)


def _argmax(d):
    shape = d.shape(max_dims=3, min_side=1)
    a = d.array(shape) if d.bool() else d.ints(shape, -3, 3)
    mode = d.int(0, 2)
    if mode == 0:
        return Sample(a)
    if mode == 1:
        return Sample(a, keepdim=d.bool())
    return Sample(a, d.dim(len(shape)), keepdim=d.bool())


def _max_int(d):
    shape = d.shape(max_dims=3, min_side=1)
    a = d.mask(shape) if d.bool() else d.ints(shape, -3, 3, dtype=d.choice(["int64", "int32"]))
    if d.bool():
        return Sample(a)
    return Sample(a, d.dim(len(shape)), keepdim=d.bool())


# -- var / std -------------------------------------------------------------------------------------
def _var(d):
    shape = d.shape(min_dims=1, max_dims=3, min_side=2, max_side=3)
    nd = len(shape)
    kw = _dim_kw(d, nd, none=True)
    if kw.get("dim") == ():
        # PyTorch's var backward takes dim=() as "no dims" while its forward reduces all of
        # them (its gradient is off by the count): compare on dim=None instead.
        kw["dim"] = None
    form = d.int(0, 3)
    if form == 1:
        kw["correction"] = d.choice([0, 1, 0.5])
    elif form == 2:
        kw["unbiased"] = d.bool()
        kw.setdefault("dim", None)
    return Sample(d.array(shape), **kw)


def _var_legacy(d):
    """The positional overloads: var(unbiased) and var(dim, unbiased, keepdim)."""
    shape = d.shape(min_dims=1, max_dims=3, min_side=2, max_side=3)
    if d.bool():
        return Sample(d.array(shape), d.bool())
    return Sample(d.array(shape), d.dim(len(shape)), d.bool(), d.bool())


# -- norm ------------------------------------------------------------------------------------------
_ORDS = [2, 1, INF, -INF, 0, 3, 0.5, -1, 1.5, "fro", None]


def _norm(d):
    p = d.choice(_ORDS)
    min_side = 1 if p in (INF, -INF, -1, 0.5) else 0
    shape = d.shape(max_dims=3, min_side=min_side)
    nd = len(shape)
    kw = _dim_kw(d, nd, none=True)
    if p == "fro" and isinstance(kw.get("dim"), tuple) and len(kw["dim"]) > 2:
        kw["dim"] = kw["dim"][:2]
    if isinstance(kw.get("dim"), tuple) and not kw["dim"] and min_side == 0:
        kw["dim"] = None
    return Sample(d.array(shape, away_from=(0.0,)), p, **kw)


def _norm_dtype(d):
    shape = d.shape(max_dims=2, min_side=1)
    return Sample(d.array(shape, away_from=(0.0,)), d.choice([2, 1, 3]))


# -- logsumexp -------------------------------------------------------------------------------------
def _logsumexp(d):
    shape = d.shape(max_dims=3)
    nd = len(shape)
    dim = d.dim(nd) if d.bool() or nd == 0 else (d.dims(nd) or (d.dim(nd),))
    return Sample(d.array(shape, -5.0, 5.0), dim, keepdim=d.bool())


def _logsumexp_int(d):
    shape = d.shape(min_dims=1, max_dims=2)
    return Sample(d.ints(shape, -3, 3), d.dim(len(shape)))


# -- scans -----------------------------------------------------------------------------------------
def _scan(lo=-2.0, hi=2.0):
    def samples(d):
        shape = d.shape(max_dims=3)
        return Sample(d.array(shape, lo, hi), d.dim(len(shape)))

    return samples


def _scan_int(d):
    shape = d.shape(max_dims=3)
    kind = d.choice(["int64", "int32", "bool", "uint8"])
    a = d.mask(shape) if kind == "bool" else d.ints(shape, 0, 4, dtype=kind)
    return Sample(a, d.dim(len(shape)))


def _cumprod(d):
    shape = d.shape(max_dims=3)
    return Sample(d.array(shape, -1.5, 1.5, away_from=(0.0,)), d.dim(len(shape)))


def _cumprod_zeros(d):
    shape = d.shape(min_dims=1, max_dims=3, min_side=1)
    a = d.array(shape, -1.5, 1.5, noncontig=False)
    a[d.mask(shape) & d.mask(shape)] = 0.0
    return Sample(a, d.dim(len(shape)))


def _cum_int(d):
    shape = d.shape(max_dims=3)
    a = d.mask(shape) if d.bool() else d.ints(shape, -3, 3, dtype=d.choice(["int64", "int32"]))
    return Sample(a, d.dim(len(shape)))


# -- all / any / count_nonzero ---------------------------------------------------------------------
def _logical(d):
    shape = d.shape(max_dims=3)
    kind = d.choice(["bool", "float", "int64", "uint8"])
    if kind == "bool":
        a = d.mask(shape)
    elif kind == "float":
        a = d.array(shape, noncontig=False)
        a[d.mask(shape)] = 0.0
    else:
        a = d.ints(shape, 0, 2, dtype=kind)
    return Sample(a, **_dim_kw(d, len(shape)))


def _count_nonzero(d):
    shape = d.shape(max_dims=3)
    a = d.ints(shape, 0, 2)
    if d.bool():
        a = d.array(shape, noncontig=False)
        a[d.mask(shape)] = 0.0
    mode = d.int(0, 2)
    if mode == 0:
        return Sample(a)
    if mode == 1:
        return Sample(a, d.dim(len(shape)))
    return Sample(a, d.dims(len(shape)))


# -- softmax -------------------------------------------------------------------------------------
def _softmax(d):
    shape = d.shape(max_dims=3)
    return Sample(d.array(shape, -4.0, 4.0), d.dim(len(shape)))


ENTRIES = [
    OpInfo("sum", _reduce()),
    OpInfo("sum", _sum_dtype, fn=lambda T, x, **kw: T.sum(x, dtype=T.float64, **kw),
           id="sum_dtype", method=False),
    OpInfo("sum", _int_sum, id="sum_int", grad=False, dtypes=("float64",)),
    OpInfo("mean", _reduce(min_side=1)),
    OpInfo("mean", _reduce(), id="mean_empty", examples=6),
    OpInfo("mean", _mean_dtype, fn=lambda T, x, **kw: T.mean(x, dtype=T.float64, **kw),
           id="mean_dtype", method=False),
    OpInfo("nansum", _with_nans),
    OpInfo("nanmean", _with_nans_some_kept),
    OpInfo("prod", _prod),
    OpInfo("prod", _prod_zeros, id="prod_zeros"),
    OpInfo("prod", _prod_int, id="prod_int", grad=False, dtypes=("float64",)),
    OpInfo("prod", lambda d: Sample(d.array(d.shape(max_dims=2), 0.5, 1.5)), id="prod_dtype",
           fn=lambda T, x: T.prod(x, dtype=T.float64), method=False),
    OpInfo("amax", _amax),
    OpInfo("amin", _amax),
    OpInfo("amax", _amax_empty, id="amax_empty", examples=4),
    OpInfo("max", _max_all, id="max_all"),
    OpInfo("min", _max_all, id="min_all"),
    OpInfo("max", _max_dim, id="max_dim"),
    OpInfo("min", _max_dim, id="min_dim"),
    OpInfo("max", _amax_empty, id="max_dim_empty", examples=4),
    OpInfo("max", _max_other, id="max_other"),
    OpInfo("min", _max_other, id="min_other"),
    OpInfo("max", _max_int, id="max_int", grad=False, dtypes=("float64",)),
    OpInfo("argmax", _argmax, grad=False),
    OpInfo("argmin", _argmax, grad=False),
    OpInfo("var", _var),
    OpInfo("var", _var_legacy, id="var_legacy"),
    OpInfo("std", _var),
    OpInfo("std", _var_legacy, id="std_legacy"),
    OpInfo("var_mean", _var, method=False),
    OpInfo("std_mean", _var, method=False),
    OpInfo("norm", _norm),
    OpInfo("norm", _norm_dtype, id="norm_dtype",
           fn=lambda T, x, p: T.norm(x, p, dtype=T.float64), method=False),
    OpInfo("logsumexp", _logsumexp),
    OpInfo("logsumexp", _logsumexp_int, id="logsumexp_int", grad=False, dtypes=("float32",)),
    OpInfo("cumsum", _scan()),
    OpInfo("cumsum", _scan_int, id="cumsum_int", grad=False, dtypes=("float64",)),
    OpInfo("cumsum", _scan(), id="cumsum_dtype",
           fn=lambda T, x, dim: T.cumsum(x, dim, dtype=T.float64), method=False),
    OpInfo("cumprod", _cumprod),
    OpInfo("cumprod", _cumprod_zeros, id="cumprod_zeros"),
    OpInfo("cumprod", _scan_int, id="cumprod_int", grad=False, dtypes=("float64",)),
    OpInfo("cummax", _scan()),
    OpInfo("cummin", _scan()),
    OpInfo("cummax", _cum_int, id="cummax_int", grad=False, dtypes=("float64",)),
    OpInfo("logcumsumexp", _scan(-5.0, 5.0)),
    OpInfo("all", _logical, grad=False, dtypes=("float64",)),
    OpInfo("any", _logical, grad=False, dtypes=("float64",)),
    OpInfo("count_nonzero", _count_nonzero, grad=False, dtypes=("float64",)),
    OpInfo("softmax", _softmax),
    OpInfo("log_softmax", _softmax),
    OpInfo("softmax", _softmax, id="softmax_dtype",
           fn=lambda T, x, dim: T.softmax(x, dim, dtype=T.float64), method=False),
    OpInfo("log_softmax", _softmax, id="log_softmax_dtype",
           fn=lambda T, x, dim: T.log_softmax(x, dim, dtype=T.float64), method=False),
]
