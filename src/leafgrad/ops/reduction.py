"""Reductions, scans and softmax: sum, mean, prod, amax, max, var, norm, cumsum, softmax ...

``dim`` is an int or a tuple (negative dims wrap; ``()`` means every dim, as in PyTorch),
``keepdim`` keeps reduced dims as size 1. Integer and bool inputs sum and multiply in
int64; ops that only make sense on floats raise PyTorch's errors for other dtypes.

Every reduction's vjp broadcasts the output gradient back with ``restore`` (or keeps it
in the reduced-with-keepdim shape and lets arithmetic broadcast it) and is written in
leafgrad ops, so double backward works. Where PyTorch's gradient has a rule of its own
(ties in amax/max split the gradient evenly, max over a dim sends it to the returned
index, prod and cumprod handle zeros exactly) the vjp follows that rule.
"""

from __future__ import annotations

import builtins as _b
import math
import warnings

from .. import dtypes as _dt
from ..backend import np
from ..tensor import Tensor, _wrap_dim
from . import elementwise as _ew
from ._dispatch import cast
from .indexing import ScatterAdd, _structseq
from .logical import invalid_combination, kind_name, not_implemented, type_name
from .registry import Op, apply

# NumPy's reductions called as ufunc methods, not as ``ndarray.sum``/``np.prod``: those are
# thin Python wrappers, so an overflow warning would be raised from NumPy's own module and
# escape leafgrad's warning filter (PyTorch overflows to inf quietly). Note the axis default
# of a ufunc's reduce is 0, not None: every call passes it.
_add_reduce = np.add.reduce
_mul_reduce = np.multiply.reduce

__all__ = [
    "sum", "mean", "nansum", "nanmean", "prod", "amax", "amin", "max", "min", "argmax",
    "argmin", "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "cumsum", "cumprod",
    "cummax", "cummin", "logcumsumexp", "all", "any", "count_nonzero", "softmax",
    "log_softmax",
]
methods = [n for n in __all__ if n not in ("var_mean", "std_mean")] + ["sum_to_size"]

_ndarray = np.ndarray
_I64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)
_U8 = np.dtype(np.uint8)
_F16 = np.dtype(np.float16)
_F32 = np.dtype(np.float32)
_INTS = (int, np.integer)
_int = int
_float = float
_tuple = tuple
_INF = math.inf


class _Unset:
    """A default that tells "not given" from an explicit ``None`` (PyTorch records
    ``sum(x)`` and ``sum(x, dim=None)`` as different nodes)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "None"


_UNSET = _Unset()


class _Required:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<required>"


_REQUIRED = _Required()


def _missing(fn: str) -> TypeError:
    return TypeError(f'{fn}() missing 1 required positional arguments: "dim"')

_MaxResult = _structseq("max", ("values", "indices"))
_MinResult = _structseq("min", ("values", "indices"))
_CummaxResult = _structseq("cummax", ("values", "indices"))
_CumminResult = _structseq("cummin", ("values", "indices"))


# -- dims and shapes -------------------------------------------------------------------------
def dims(dim, ndim: int) -> tuple | None:
    """``dim`` (None, an int, or a sequence) as a sorted tuple of non-negative axes.

    None stands for every dim: for ``dim=None``, ``dim=()`` and for a 0-d input (whose only
    valid dims, 0 and -1, reduce nothing).
    """
    if dim is None:
        return None
    if isinstance(dim, _INTS) and not isinstance(dim, bool):
        d = _wrap_dim(dim, ndim)
        return (d,) if ndim else None
    try:
        items = [_wrap_dim(d, ndim) for d in dim]
    except TypeError:
        raise TypeError(f"dim must be an int or a tuple of ints, not {type(dim).__name__}") \
            from None
    out = _tuple(sorted(items))
    for i in range(1, len(out)):
        if out[i] == out[i - 1]:
            raise RuntimeError(f"dim {out[i]} appears multiple times in the list of dims")
    return out if out and ndim else None


def _count(shape: tuple, axes: tuple | None) -> int:
    """How many elements each output element reduces."""
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n


def _kept(shape: tuple, axes: tuple | None) -> tuple:
    """``shape`` with the reduced ``axes`` set to 1 (the keepdim shape)."""
    if axes is None:
        return (1,) * len(shape)
    if axes.__class__ is _int:  # one dim, saved as PyTorch saves it (max, prod over a dim)
        axes = (axes,)
    return _tuple(1 if i in axes else s for i, s in enumerate(shape))


def _keep(t, shape: tuple, axes: tuple | None, keepdim: bool):
    """A reduced tensor (or array) in the keepdim shape, ready to broadcast against input."""
    return t if keepdim else t.reshape(_kept(shape, axes))


def restore(g, shape: tuple, axes: tuple | None, keepdim: bool):
    """Broadcast a reduction's gradient ``g`` (a Tensor or an array) back to ``shape``."""
    if not keepdim:
        g = g.reshape(_kept(shape, axes))
    if isinstance(g, Tensor):
        return g.expand(shape)
    # A first-order backward (arrays, or NumPy scalars): small gradients are filled in
    # (np.broadcast_to costs ~6 us), big ones broadcast as a view (no memory traffic).
    n = 1
    for s in shape:
        n *= s
    if n > 65536:
        return np.broadcast_to(g, shape)
    out = np.empty(shape, g.dtype)
    out[...] = g
    return out


def _const(array) -> Tensor:
    """A constant tensor for a vjp (a mask, a count): never part of the graph."""
    if array.__class__ is not _ndarray:
        array = np.asarray(array)
    return Tensor._make(array)


def _float_mask(mask, like: Tensor) -> Tensor:
    return _const(mask.astype(like._data.dtype))


def _not_tensor(fn: str, x) -> TypeError:
    return TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                     f"{type(x).__name__}")


def _data(x, fn: str):
    """The array of op argument ``x``, with PyTorch's error when it is not a Tensor."""
    try:
        return x._data
    except AttributeError:
        raise _not_tensor(fn, x) from None


def _np_dtype(dtype):
    return None if dtype is None else _dt.to_dtype(dtype).np


def _sum_dtype(a, dtype):
    """The accumulation dtype of sum/prod/cumsum: as asked, else int64 for ints and bools."""
    if dtype is not None:
        return _dt.to_dtype(dtype).np
    return _I64 if a.dtype.kind in "biu" else None


def _default_float(x: Tensor) -> Tensor:
    """Integer and bool inputs of float-valued reductions, in the default float dtype."""
    if x._data.dtype.kind == "f":
        return x
    return Tensor._make(x._data.astype(_dt.get_default_dtype().np))


# -- sum / mean / nansum / nanmean ----------------------------------------------------------
class Sum(Op):
    array_vjp = True

    def forward(xp, x, *, dim, keepdim, shape, dtype):
        return _add_reduce(x, axis=dim, dtype=dtype, keepdims=keepdim)

    def vjp(g, out, x, *, dim, keepdim, shape, dtype):
        return restore(g, shape, dim, keepdim)


class SumDim(Sum):
    """Sum over some dims (PyTorch records the dim overload as SumBackward1)."""

    name = "SumBackward1"


class Mean(Op):
    array_vjp = True

    def forward(xp, x, *, dim, keepdim, shape, dtype):
        # sum / n: what np.mean computes, without its Python overhead (and its warning on
        # empty slices, where PyTorch quietly gives NaN); half floats accumulate in float32.
        n = _count(shape, dim)
        if dtype is None and x.dtype == _F16:
            return (_add_reduce(x, axis=dim, dtype=_F32, keepdims=keepdim) / n).astype(_F16)
        s = _add_reduce(x, axis=dim, dtype=dtype, keepdims=keepdim)
        if n:
            return s / n
        with xp.errstate(invalid="ignore", divide="ignore"):
            return s / 0.0

    def vjp(g, out, x, *, dim, keepdim, shape, dtype):
        return restore(g / _b.max(_count(shape, dim), 1), shape, dim, keepdim)


class MeanDim(Mean):
    name = "MeanBackward1"


class Nansum(Op):
    saves = ("self",)

    def forward(xp, x, *, dim, keepdim, shape, dtype):
        with xp.errstate(over="ignore"):  # np.nansum warns from NumPy's own module
            return xp.nansum(x, axis=dim, keepdims=keepdim, dtype=dtype)

    def vjp(g, out, x, *, dim, keepdim, shape, dtype):
        keep = _float_mask(~np.isnan(x._data), g)
        return _keep(g, shape, dim, keepdim) * keep


def sum(input: Tensor, dim=_UNSET, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A001
    """Sum of elements, over all of them or over ``dim`` (an int or a tuple).

    Integer and bool tensors sum in int64.

    >>> leafgrad.tensor([[1., 2.], [3., 4.]]).sum(0)
    tensor([4., 6.])
    """
    try:
        a = input._data
    except AttributeError:
        raise _not_tensor("sum", input) from None
    dt = None if dtype is None and a.dtype.kind == "f" else _sum_dtype(a, dtype)
    if dim is _UNSET:
        return apply(Sum, input, dim=None, keepdim=keepdim, shape=a.shape, dtype=dt)
    if dim.__class__ is float:
        raise invalid_combination("sum", ("Tensor", "float"), _SUM_SIGNATURES)
    return apply(SumDim, input, dim=dims(dim, a.ndim), keepdim=keepdim, shape=a.shape, dtype=dt)


_SUM_SIGNATURES = (
    "Tensor input, *, leafgrad.dtype dtype = None",
    "Tensor input, tuple of ints dim, bool keepdim = False, *, leafgrad.dtype dtype = None, "
    "Tensor out = None",
)


def _check_mean_dtype(x: Tensor, dtype, fn: str = "mean"):
    if dtype is not None:
        d = _dt.to_dtype(dtype)
        if not d.is_floating_point:
            raise RuntimeError(
                f"{fn}(): could not infer output dtype. Optional dtype must be either a floating "
                f"point or complex dtype. Got: {d.legacy_name[:-6]}")
        return d.np
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"{fn}(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {kind_name(x._data.dtype)}")
    return None


def mean(input: Tensor, dim=_UNSET, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean of elements, over all of them or over ``dim``; floating results only.

    >>> leafgrad.tensor([[1., 2.], [3., 4.]]).mean(1)
    tensor([1.5000, 3.5000])
    """
    try:
        a = input._data
    except AttributeError:
        raise _not_tensor("mean", input) from None
    dt = None if dtype is None and a.dtype.kind == "f" else _check_mean_dtype(input, dtype)
    if dim is _UNSET:
        return apply(Mean, input, dim=None, keepdim=keepdim, shape=a.shape, dtype=dt)
    return apply(MeanDim, input, dim=dims(dim, a.ndim), keepdim=keepdim, shape=a.shape,
                 dtype=dt)


def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of elements treating NaN as zero (NaN positions get no gradient)."""
    a = _data(input, "nansum")
    return apply(Nansum, input, dim=dims(dim, a.ndim), keepdim=keepdim, shape=a.shape,
                 dtype=_sum_dtype(a, dtype))


def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean of the non-NaN elements (NaN where a slice has none).

    >>> leafgrad.tensor([1., float('nan'), 3.]).nanmean()
    tensor(2.)
    """
    a = _data(input, "nanmean")
    if a.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {kind_name(a.dtype)}")
    axes = dims(dim, a.ndim)
    count = np.sum(~np.isnan(a), axis=axes, keepdims=keepdim)
    return _ew.div(nansum(input, dim, keepdim, dtype=dtype), _const(count))


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum ``input`` down to ``size``, the reverse of broadcasting it (gradients use this)."""
    shape = _tuple(size[0]) if len(size) == 1 and isinstance(size[0], (_tuple, list)) else size
    lead = input._data.ndim - len(shape)
    axes = _tuple(range(lead)) + _tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and input._data.shape[lead + i] != 1
    )
    if not axes:
        return input
    a = input._data
    out = apply(SumDim, input, dim=axes, keepdim=True, shape=a.shape, dtype=None)
    return out.reshape(shape) if lead else out


# -- prod --------------------------------------------------------------------------------------
class Prod(Op):
    saves = ("self", "result")

    def forward(xp, x, *, dim, keepdim, shape, dtype):
        return _mul_reduce(x, axis=dim, keepdims=keepdim, dtype=dtype)

    def vjp(g, out, x, *, dim, keepdim, shape, dtype):
        return _prod_vjp(_keep(g, shape, dim, keepdim), _keep(out, shape, dim, keepdim), x,
                         dim)


class ProdDim(Prod):
    name = "ProdBackward1"


def _prod_vjp(g: Tensor, out: Tensor, x: Tensor, dim) -> Tensor:
    """d prod / dx_k = the product of the other elements of k's slice, exact with zeros.

    Without zeros that is ``out / x``. With zeros it is written so that its own derivative
    is right too: ``P`` is the product with zeros replaced by 1, ``S`` the sum of the
    slice's zero elements (0 in value, but carrying their derivative); a slice with one
    zero gives ``P`` at the zero and ``P / x_k * S`` elsewhere, one with two zeros gives
    ``P * (other zero)`` at each zero, one with more gives 0.
    """
    a = x._data
    zero = a == 0
    if a.size == 0 or not zero.any():
        return g * out / x
    count = zero.sum(axis=dim, keepdims=True)
    x1 = _ew.where(_const(zero), 1.0, x)
    p = apply(ProdDim, x1, dim=dim, keepdim=True, shape=a.shape, dtype=None)
    z = _float_mask(zero, x)
    s = sum(x * z, dim, True) if dim is not None else sum(x * z).reshape(_kept(a.shape, None))
    c0, c1, c2 = (_float_mask(count == k, x) for k in (0, 1, 2))
    factor = c0 + c1 * (z + (1.0 - z) * s) + c2 * z * (s - x * z)
    return g * (p / x1) * factor


def prod(input: Tensor, dim=_UNSET, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of elements, over all of them or over one ``dim`` (gradients exact with zeros).

    >>> leafgrad.tensor([[1., 2.], [3., 4.]]).prod(1)
    tensor([ 2., 12.])
    """
    a = _data(input, "prod")
    dt = _sum_dtype(a, dtype)
    if dim is _UNSET:
        return apply(Prod, input, dim=None, keepdim=False, shape=a.shape, dtype=dt)
    if not isinstance(dim, _INTS) or isinstance(dim, bool):
        raise invalid_combination("prod", ("Tensor", type(dim).__name__), _PROD_SIGNATURES)
    d = _wrap_dim(dim, a.ndim)
    return apply(ProdDim, input, dim=d if a.ndim else None, keepdim=keepdim, shape=a.shape,
                 dtype=dt)


_PROD_SIGNATURES = (
    "Tensor input, *, leafgrad.dtype dtype = None",
    "Tensor input, int dim, bool keepdim = False, *, leafgrad.dtype dtype = None, "
    "Tensor out = None",
)


# -- amax / amin / max / min / argmax / argmin ------------------------------------------------
def _even_vjp(g: Tensor, out: Tensor, x: Tensor, dim, keepdim: bool) -> Tensor:
    """The gradient of a max/min reduction: split evenly among the elements that tie."""
    a = x._data
    o = _keep(out._data, a.shape, dim, keepdim)
    mask = a == o
    if o.dtype.kind == "f" and np.isnan(o).any():
        mask |= np.isnan(a) & np.isnan(o)
    count = mask.sum(axis=dim, keepdims=True)
    weights = _const((mask / np.maximum(count, 1)).astype(a.dtype))
    return _keep(g, a.shape, dim, keepdim) * weights


class Amax(Op):
    saves = ("self", "result")

    def forward(xp, x, *, dim, keepdim):
        return x.max(axis=dim, keepdims=keepdim)

    def vjp(g, out, x, *, dim, keepdim):
        return _even_vjp(g, out, x, dim, keepdim)


class Amin(Amax):
    def forward(xp, x, *, dim, keepdim):
        return x.min(axis=dim, keepdims=keepdim)


class MaxAll(Amax):
    """``max(x)``: the full reduction (PyTorch's MaxBackward1; ties split the gradient)."""

    name = "MaxBackward1"


class MinAll(Amin):
    name = "MinBackward1"


class MaxDim(Op):
    """The values of ``max(x, dim)``: the gradient goes to the returned index only."""

    name = "MaxBackward0"

    def forward(xp, x, *, dim, keepdim, indices, shape):
        return x.max(axis=dim, keepdims=keepdim)

    def vjp(g, out, x, *, dim, keepdim, indices, shape):
        return _index_vjp(g, dim, keepdim, indices, shape)


class MinDim(MaxDim):
    name = "MinBackward0"

    def forward(xp, x, *, dim, keepdim, indices, shape):
        return x.min(axis=dim, keepdims=keepdim)


def _index_vjp(g: Tensor, dim, keepdim: bool, indices: Tensor, shape: tuple) -> Tensor:
    if dim is None:  # a 0-d input
        return g
    idx = _keep(indices._data, shape, dim, keepdim)
    d = dim
    pos = np.arange(shape[d]).reshape((-1,) + (1,) * (len(shape) - d - 1))
    onehot = _const((pos == idx).astype(g._data.dtype))
    return _keep(g, shape, dim, keepdim) * onehot


def _check_nonempty(fn: str, a, axes, exc=IndexError) -> None:
    if a.size:
        return
    if axes is None:
        if a.ndim == 0:
            return
        raise RuntimeError(
            f"{fn}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument.")
    for d in axes:
        if a.shape[d] == 0:
            raise exc(f"{fn}(): Expected reduction dim {d} to have non-zero size.")


def _amax(fn: str, op: type[Op], input: Tensor, dim, keepdim: bool) -> Tensor:
    a = _data(input, fn)
    axes = dims(dim, a.ndim)
    _check_nonempty(fn, a, axes)
    return apply(op, input, dim=axes, keepdim=keepdim)


def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Maximum over ``dim`` (every dim by default); ties share the gradient evenly.

    >>> leafgrad.tensor([[1., 5.], [3., 2.]]).amax(0)
    tensor([3., 5.])
    """
    return _amax("amax", Amax, input, dim, keepdim)


def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Minimum over ``dim`` (every dim by default); ties share the gradient evenly."""
    return _amax("amin", Amin, input, dim, keepdim)


_MAX_SIGNATURES = (
    "Tensor input, *, Tensor out = None",
    "Tensor input, Tensor other, *, Tensor out = None",
    "Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None",
)


def _extremum(fn: str, input: Tensor, dim, keepdim, other, result, all_op, dim_op, arg, pair):
    if dim is _UNSET and other is None:
        if keepdim is not _UNSET:
            raise invalid_combination(fn, ("Tensor", "keepdim=bool"), _MAX_SIGNATURES)
        a = _data(input, fn)
        _check_nonempty(fn, a, None)
        return apply(all_op, input, dim=None, keepdim=False)
    if other is not None or isinstance(dim, Tensor):
        return pair(input, dim if other is None else other)
    if not isinstance(dim, _INTS) or isinstance(dim, bool):
        got = ("Tensor", "dim=NoneType") if dim is None else ("Tensor", type(dim).__name__)
        raise invalid_combination(fn, got, _MAX_SIGNATURES)
    keepdim = bool(keepdim) if keepdim is not _UNSET else False
    a = _data(input, fn)
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        idx = Tensor._make(np.zeros((), _I64))
        values = apply(dim_op, input, dim=None, keepdim=False, indices=idx, shape=a.shape)
        return result((values, idx))
    _check_nonempty(fn, a, (d,))
    idx = Tensor._make(np.asarray(arg(a, axis=d, keepdims=keepdim)))
    values = apply(dim_op, input, dim=d, keepdim=keepdim, indices=idx, shape=a.shape)
    return result((values, idx))


def max(input: Tensor, dim=_UNSET, keepdim=_UNSET, *, other=None):  # noqa: A001
    """The maximum: ``max(x)`` of all elements, ``max(x, dim)`` a ``(values, indices)``
    named tuple over one dim, ``max(x, other)`` the elementwise maximum of two tensors.

    >>> leafgrad.tensor([[1., 5.], [3., 2.]]).max(1)
    leafgrad.return_types.max(
    values=tensor([5., 3.]),
    indices=tensor([1, 0]))
    """
    return _extremum("max", input, dim, keepdim, other, _MaxResult, MaxAll, MaxDim, np.argmax,
                     _ew.maximum)


def min(input: Tensor, dim=_UNSET, keepdim=_UNSET, *, other=None):  # noqa: A001
    """The minimum: ``min(x)``, ``min(x, dim)`` as ``(values, indices)``, or ``min(x, other)``."""
    return _extremum("min", input, dim, keepdim, other, _MinResult, MinAll, MinDim, np.argmin,
                     _ew.minimum)


def _arg(fn: str, npfn, input: Tensor, dim, keepdim: bool) -> Tensor:
    a = _data(input, fn)
    if a.dtype.kind == "b":
        raise RuntimeError(f"{fn}(): does not support bool input")
    if dim is None:
        if a.size == 0:
            raise IndexError(
                f"{fn}(): Expected reduction dim to be specified for input.numel() == 0.")
        return Tensor._make(np.asarray(npfn(a, axis=None, keepdims=keepdim), _I64))
    d = _wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return Tensor._make(np.zeros((), _I64))
    if a.shape[d] == 0:
        raise IndexError(f"{fn}(): Expected reduction dim {d} to have non-zero size.")
    return Tensor._make(np.asarray(npfn(a, axis=d, keepdims=keepdim), _I64))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the maximum, in the flattened tensor or along ``dim``; first one wins.

    >>> leafgrad.tensor([[1., 5.], [3., 2.]]).argmax(1)
    tensor([1, 0])
    """
    return _arg("argmax", np.argmax, input, dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index (int64) of the minimum, in the flattened tensor or along ``dim``."""
    return _arg("argmin", np.argmin, input, dim, keepdim)


# -- var / std / var_mean / std_mean ------------------------------------------------------------
def _np_var(xp, x, dim, correction, keepdim):
    n = _count(x.shape, dim)
    m = _add_reduce(x, axis=dim, keepdims=True) / n if n else xp.full(_kept(x.shape, dim), xp.nan,
                                                              x.dtype)
    d = x - m
    d *= d
    ss = _add_reduce(d, axis=dim, keepdims=keepdim)
    dof = n - correction
    if dof > 0:
        return ss / dof
    with xp.errstate(divide="ignore", invalid="ignore"):
        return ss / 0.0  # no degrees of freedom left: inf or NaN, as in PyTorch


def _var_vjp(g: Tensor, x: Tensor, dim, correction, shape) -> Tensor:
    """d var / dx = 2 (x - mean) / (N - correction); ``g`` in the keepdim shape."""
    dof = _b.max(_count(shape, dim) - correction, 0)
    m = mean(x, dim, True) if dim is not None else mean(x).reshape(_kept(shape, None))
    return (x - m) * (g * (2.0 / dof if dof else _INF))


def _std_scale(g: Tensor, std: Tensor) -> Tensor:
    """g / (2 std), 0 where std is 0 (PyTorch's rule: no gradient through a zero spread)."""
    z = std._data == 0
    if not z.any():
        return g / (std * 2.0)
    zm = _float_mask(z, std)
    return g / (std * 2.0 + zm) * (1.0 - zm)


class Var(Op):
    saves = ("self",)

    def forward(xp, x, *, dim, correction, keepdim, shape):
        return _np_var(xp, x, dim, correction, keepdim)

    def vjp(g, out, x, *, dim, correction, keepdim, shape):
        return _var_vjp(_keep(g, shape, dim, keepdim), x, dim, correction, shape)


class Std(Op):
    saves = ("self", "result")

    def forward(xp, x, *, dim, correction, keepdim, shape):
        return xp.sqrt(_np_var(xp, x, dim, correction, keepdim))

    def vjp(g, out, x, *, dim, correction, keepdim, shape):
        gs = _std_scale(_keep(g, shape, dim, keepdim), _keep(out, shape, dim, keepdim))
        return _var_vjp(gs, x, dim, correction, shape)


class VarMean(Op):
    saves = ("self",)
    outputs = 2

    def forward(xp, x, *, dim, correction, keepdim, shape):
        return _np_var(xp, x, dim, correction, keepdim), _np_mean(xp, x, dim, keepdim)

    def vjp(g, out, x, *, dim, correction, keepdim, shape):
        gv, gm = g
        n = _b.max(_count(shape, dim), 1)
        return _var_vjp(_keep(gv, shape, dim, keepdim), x, dim, correction, shape) + \
            _keep(gm, shape, dim, keepdim) / n


class StdMean(Op):
    saves = ("self", "result")
    outputs = 2

    def forward(xp, x, *, dim, correction, keepdim, shape):
        return xp.sqrt(_np_var(xp, x, dim, correction, keepdim)), _np_mean(xp, x, dim, keepdim)

    def vjp(g, out, x, *, dim, correction, keepdim, shape):
        gs, gm = g
        n = _b.max(_count(shape, dim), 1)
        scaled = _std_scale(_keep(gs, shape, dim, keepdim), _keep(out[0], shape, dim, keepdim))
        return _var_vjp(scaled, x, dim, correction, shape) + _keep(gm, shape, dim, keepdim) / n


def _np_mean(xp, x, dim, keepdim):
    n = _count(x.shape, dim)
    s = _add_reduce(x, axis=dim, keepdims=keepdim)
    return s / n if n else xp.full(s.shape, xp.nan, x.dtype)


_VAR_SIGNATURES = (
    "Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, "
    "Tensor out = None",
    "Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = "
    "False, Tensor out = None",
    "Tensor input, bool unbiased = True",
)


_VAR_MEAN_SIGNATURES = (
    "Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False",
    "Tensor input, tuple of ints dim = None, *, Number correction = None, bool keepdim = False",
    "Tensor input, bool unbiased = True",
)


def _var_args(fn: str, input: Tensor, dim, unbiased, keepdim, correction):
    """(axes, correction) from PyTorch's overloads: ``(dim, unbiased, keepdim)``,
    ``(dim, *, correction, keepdim)`` and ``(unbiased)``; warns when no freedom is left."""
    if not isinstance(input, Tensor):
        sigs = _VAR_SIGNATURES if fn in ("var", "std") else _VAR_MEAN_SIGNATURES
        raise invalid_combination(fn, (type_name(input),), sigs)
    a = input._data
    if a.dtype.kind != "f":
        what = fn if fn in ("var_mean", "std_mean") else "std and var"
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    if isinstance(dim, bool):  # var(x, True): the legacy ``unbiased`` overload
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        got = ("Tensor",) + (() if dim is None else (type(dim).__name__,)) + \
            ("correction=" + type(correction).__name__, "unbiased=bool")
        raise invalid_combination(fn, got, _VAR_SIGNATURES)
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise invalid_combination(fn, ("Tensor", type(dim).__name__,
                                           type(unbiased).__name__), _VAR_SIGNATURES)
        c = 1 if unbiased else 0
    else:
        c = 1 if correction is None else correction
    axes = dims(dim, a.ndim)
    if _count(a.shape, axes) - c <= 0:
        warnings.warn(
            f"{fn}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=3)
    return axes, c


def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default; ``unbiased=False``
    is the legacy spelling of 0).

    >>> leafgrad.tensor([1., 2., 4.]).var()
    tensor(2.3333)
    """
    axes, c = _var_args("var", input, dim, unbiased, keepdim, correction)
    return apply(Var, input, dim=axes, correction=c, keepdim=keepdim, shape=input._data.shape)


def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
        correction=None) -> Tensor:
    """Standard deviation over ``dim`` (see ``var``); a zero spread gets no gradient."""
    axes, c = _var_args("std", input, dim, unbiased, keepdim, correction)
    return apply(Std, input, dim=axes, correction=c, keepdim=keepdim, shape=input._data.shape)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    """``(var, mean)`` over ``dim`` in one pass (see ``var``)."""
    axes, c = _var_args("var_mean", input, dim, unbiased, keepdim, correction)
    return apply(VarMean, input, dim=axes, correction=c, keepdim=keepdim,
                 shape=input._data.shape)


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *,
             correction=None) -> tuple:
    """``(std, mean)`` over ``dim`` in one pass (see ``var``)."""
    axes, c = _var_args("std_mean", input, dim, unbiased, keepdim, correction)
    return apply(StdMean, input, dim=axes, correction=c, keepdim=keepdim,
                 shape=input._data.shape)


# -- norm ---------------------------------------------------------------------------------------
class LinalgVectorNorm(Op):
    """The vector p-norm over ``dim`` (every dim when None)."""

    saves = ("self", "result")

    def forward(xp, x, *, ord, dim, keepdim, dtype):
        if dtype is not None and x.dtype != dtype:
            x = x.astype(dtype)
        if ord == 2:
            return xp.sqrt(_add_reduce(x * x, axis=dim, keepdims=keepdim))
        a = xp.abs(x)
        if ord == 1:
            return _add_reduce(a, axis=dim, keepdims=keepdim)
        if ord == _INF:
            return a.max(axis=dim, keepdims=keepdim)
        if ord == -_INF:
            return a.min(axis=dim, keepdims=keepdim)
        if ord == 0:
            return (a != 0).sum(axis=dim, keepdims=keepdim, dtype=x.dtype)
        return _add_reduce(a ** ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)

    def vjp(g, out, x, *, ord, dim, keepdim, dtype):
        if ord == 0:
            return None  # the count of non-zeros is flat: PyTorch gives no gradient
        shape = x._data.shape
        g = _keep(g, shape, dim, keepdim)
        out = _keep(out, shape, dim, keepdim)
        if ord == 1:
            return g * x.sgn()
        if ord == _INF or ord == -_INF:
            mask = np.abs(x._data) == out._data
            count = mask.sum(axis=dim, keepdims=True)
            w = _const((mask / np.maximum(count, 1)).astype(x._data.dtype))
            return g * x.sgn() * w
        zero = out._data == 0
        if ord == 2:
            if not zero.any():
                return x * (g / out)
            zm = _float_mask(zero, out)
            return x * (g / (out + zm) * (1.0 - zm))
        # |x|^(p-1) sgn(x) g / norm^(p-1); zeros of x (and of the norm) contribute nothing
        xz = x._data == 0
        ax = x.abs()
        if xz.any():
            ax = ax + _float_mask(xz, x)
        scaled = x.sgn() * ax ** (ord - 1)
        if not zero.any():
            return scaled * (g / out ** (ord - 1))
        zm = _float_mask(zero, out)
        return scaled * (g / ((out + zm) ** (ord - 1)) * (1.0 - zm))


def _ord_name(p) -> str:
    if p == _INF:
        return "inf"
    if p == -_INF:
        return "-inf"
    return str(_int(p)) if _float(p).is_integer() else repr(_float(p))


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None,
         dtype=None) -> Tensor:
    """The vector p-norm over ``dim`` (all elements by default): ``p`` = 2 (or 'fro'), 1, 0,
    inf, -inf or any other number.

    >>> leafgrad.tensor([3., 4.]).norm()
    tensor(5.)
    """
    a = _data(input, "norm")
    if a.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {kind_name(a.dtype)}")
    if isinstance(p, str):
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if dim is not None and not isinstance(dim, _INTS) and len(dim) > 2 or \
                p == "nuc" and dim is None and a.ndim != 2:
            got = " ".join(str(d) for d in (dim if dim is not None else range(a.ndim)))
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
        if p == "nuc":
            raise NotImplementedError("norm(p='nuc'): the nuclear norm is not supported by "
                                      "leafgrad yet")
        p = 2
    elif p is None:
        p = 2
    elif isinstance(p, Tensor):
        p = p.item()
    axes = dims(dim, a.ndim)
    if p < 0 or p == _INF:
        empty = a.size == 0 if axes is None else _b.any(a.shape[d] == 0 for d in axes)
        if empty:
            if axes is None or a.ndim == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(p)} norm on "
                                   "an empty tensor because the operation does not have an "
                                   "identity")
            d = next(d for d in axes if a.shape[d] == 0)
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_name(p)} norm on the "
                               f"dimension {d}because this dimension is empty and the operation "
                               "does not have an identity")
    return apply(LinalgVectorNorm, input, ord=p, dim=axes, keepdim=keepdim,
                 dtype=_np_dtype(dtype))


# -- logsumexp --------------------------------------------------------------------------------
class Logsumexp(Op):
    saves = ("self", "result")

    def forward(xp, x, *, dim, keepdim):
        if x.size == 0:
            return xp.log(xp.exp(x).sum(axis=dim, keepdims=keepdim))
        # Stable: shift by the maximum (by 0 where it is infinite, so inf stays inf).
        m = x.max(axis=dim, keepdims=True)
        finite = xp.isfinite(m)
        if not finite.all():
            m = xp.where(finite, m, 0)
        s = xp.log(xp.exp(x - m).sum(axis=dim, keepdims=keepdim))
        return s + (m if keepdim else m.reshape(s.shape))

    def vjp(g, out, x, *, dim, keepdim):
        shape = x._data.shape
        return _keep(g, shape, dim, keepdim) * (x - _keep(out, shape, dim, keepdim)).exp()


def logsumexp(input: Tensor, dim=_REQUIRED, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over ``dim``, computed stably (no overflow for large inputs).

    >>> leafgrad.tensor([1000., 1000.]).logsumexp(0)
    tensor(1000.6932)
    """
    a = _data(input, "logsumexp")
    if dim is _REQUIRED:
        raise _missing("logsumexp")
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    if not isinstance(dim, _INTS) and len(dim) == 0 and a.ndim:
        raise RuntimeError("output with shape [] doesn't match the broadcast shape "
                           f"[{', '.join('1' * a.ndim)}]")
    return apply(Logsumexp, _default_float(input), dim=dims(dim, a.ndim), keepdim=keepdim)


# -- scans: cumsum / cumprod / logcumsumexp / cummax / cummin ---------------------------------
def _revcumsum(t: Tensor, dim: int) -> Tensor:
    """Sums from each position to the end along ``dim`` (the vjp of cumsum)."""
    if t._data.ndim == 0:
        return t
    return cumsum(t.flip(dim), dim).flip(dim)


def _scan_dim(input: Tensor, dim, fn: str) -> int:
    if dim is _REQUIRED:
        raise _missing(fn)
    return _wrap_dim(dim, input._data.ndim)


class Cumsum(Op):
    def forward(xp, x, *, dim, dtype):
        if x.ndim == 0:
            return x.astype(dtype or x.dtype, copy=True)
        return x.cumsum(axis=dim, dtype=dtype)

    def vjp(g, out, x, *, dim, dtype):
        return _revcumsum(g, dim)


class Cumprod(Op):
    saves = ("self", "result")

    def forward(xp, x, *, dim, dtype):
        if x.ndim == 0:
            return x.astype(dtype or x.dtype, copy=True)
        return x.cumprod(axis=dim, dtype=dtype)

    def vjp(g, out, x, *, dim, dtype):
        return _cumprod_vjp(g, out, x, dim)


def _cumprod_vjp(g: Tensor, out: Tensor, x: Tensor, dim: int, second: bool = True) -> Tensor:
    """grad_k = sum over i >= k of g_i * prod(x_j for j <= i, j != k), exact with zeros.

    Without zeros that is ``revcumsum(g * out) / x``. With a first zero at ``z`` in a slice:
    before it the same formula holds (later outputs are 0); at ``z`` it is
    ``revcumsum(g * out1)`` where ``out1`` is the cumprod with ``x_z`` set to 1; after it
    every term holds the factor ``x_z`` (0), written as ``x_z * h`` so that the derivative
    in ``x_z`` (``h``: the same gradient with ``x_z`` set to 1) is right too.
    """
    a = x._data
    if a.ndim == 0:
        return g
    zero = a == 0
    if not zero.any():
        return _revcumsum(g * out, dim) / x
    cz = np.cumsum(zero, axis=dim)
    before = cz == 0
    first = zero & (cz == 1)
    xs = _ew.where(_const(before), x, 1.0)
    x1 = _ew.where(_const(first), 1.0, x)
    out1 = apply(Cumprod, x1, dim=dim, dtype=None)
    res = _ew.where(_const(before), _revcumsum(g * out, dim) / xs,
                    _ew.where(_const(first), _revcumsum(g * out1, dim), 0.0))
    after = ~before & ~first
    if second and after.any():
        h = _cumprod_vjp(g, out1, x1, dim, second=False)
        xz = sum(x * _float_mask(first, x), dim, True)
        res = res + _ew.where(_const(after), xz * h, 0.0)
    return res


class Logcumsumexp(Op):
    saves = ("self", "result")

    def forward(xp, x, *, dim):
        if x.ndim == 0 or x.size == 0:
            return x.copy()
        return xp.logaddexp.accumulate(x, axis=dim)  # pairwise logaddexp: stable

    def vjp(g, out, x, *, dim):
        return _logcumsumexp_vjp(g, out, x, dim)


def _rev_logcumsumexp(t: Tensor, dim: int) -> Tensor:
    return apply(Logcumsumexp, t.flip(dim), dim=dim).flip(dim)


def _logcumsumexp_vjp(g: Tensor, out: Tensor, x: Tensor, dim: int) -> Tensor:
    """grad_k = sum over i >= k of g_i exp(x_k - out_i), in log space for stability: the
    positive and negative parts of ``g`` are summed apart with reversed logcumsumexps."""
    if x._data.ndim == 0:
        return g
    ga = g._data
    pos, neg = ga > 0, ga < 0
    lg = _ew.where(_const(pos | neg), g.abs(), 1.0).log() - out
    rp = _rev_logcumsumexp(_ew.where(_const(pos), lg, -_INF), dim)
    rn = _rev_logcumsumexp(_ew.where(_const(neg), lg, -_INF), dim)
    return (x + rp).exp() - (x + rn).exp()


class Cummax(Op):
    """The values of ``cummax``: the gradient goes to each running maximum's index."""

    def forward(xp, x, *, dim, indices):
        if x.ndim == 0:
            return x.copy()
        return xp.maximum.accumulate(x, axis=dim)

    def vjp(g, out, x, *, dim, indices):
        if g._data.ndim == 0:
            return g
        z = Tensor._make(np.zeros(g._data.shape, g._data.dtype))
        return apply(ScatterAdd, z, g, dim=dim, index=indices, src_shape=g._data.shape)


class Cummin(Cummax):
    def forward(xp, x, *, dim, indices):
        if x.ndim == 0:
            return x.copy()
        return xp.minimum.accumulate(x, axis=dim)


def _cum_indices(a, values, dim: int):
    """Indices of the running extremum: the latest element equal to it (ties move forward;
    a NaN holds until the next NaN, as in PyTorch)."""
    hit = a == values
    if a.dtype.kind == "f":
        hit |= np.isnan(a)
    pos = np.arange(a.shape[dim], dtype=_I64).reshape((-1,) + (1,) * (a.ndim - dim - 1))
    return np.maximum.accumulate(np.where(hit, pos, 0), axis=dim)


def cumsum(input: Tensor, dim: int = _REQUIRED, *, dtype=None) -> Tensor:
    """Running sums along ``dim`` (integers and bools in int64).

    >>> leafgrad.tensor([1., 2., 3.]).cumsum(0)
    tensor([1., 3., 6.])
    """
    a = _data(input, "cumsum")
    dt = None if dtype is None and a.dtype.kind == "f" else _sum_dtype(a, dtype)
    return apply(Cumsum, input, dim=_scan_dim(input, dim, "cumsum"), dtype=dt)


def cumprod(input: Tensor, dim: int = _REQUIRED, *, dtype=None) -> Tensor:
    """Running products along ``dim``; the gradient is exact where inputs are zero."""
    a = _data(input, "cumprod")
    return apply(Cumprod, input, dim=_scan_dim(input, dim, "cumprod"),
                 dtype=_sum_dtype(a, dtype))


def logcumsumexp(input: Tensor, dim: int = _REQUIRED) -> Tensor:
    """log(cumsum(exp(input))) along ``dim``, computed stably."""
    a = _data(input, "logcumsumexp")
    d = _scan_dim(input, dim, "logcumsumexp")
    if a.dtype.kind != "f":
        raise not_implemented("logcumsumexp_out_cpu", a.dtype)
    return apply(Logcumsumexp, input, dim=d)


def _cum_extremum(fn: str, input: Tensor, dim: int, op: type[Op], ufunc, result):
    a = _data(input, fn)
    d = _scan_dim(input, dim, fn)
    if a.ndim == 0:
        idx = Tensor._make(np.zeros((), _I64))
    elif a.size == 0:
        idx = Tensor._make(np.zeros(a.shape, _I64))
    else:
        idx = Tensor._make(_cum_indices(a, ufunc.accumulate(a, axis=d), d))
    return result((apply(op, input, dim=d, indices=idx), idx))


def cummax(input: Tensor, dim: int = _REQUIRED):
    """Running maximum along ``dim`` and its int64 index, as ``(values, indices)``.

    >>> leafgrad.tensor([1., 3., 2.]).cummax(0)
    leafgrad.return_types.cummax(
    values=tensor([1., 3., 3.]),
    indices=tensor([0, 1, 1]))
    """
    return _cum_extremum("cummax", input, dim, Cummax, np.maximum, _CummaxResult)


def cummin(input: Tensor, dim: int = _REQUIRED):
    """Running minimum along ``dim`` and its int64 index, as ``(values, indices)``."""
    return _cum_extremum("cummin", input, dim, Cummin, np.minimum, _CumminResult)


# -- all / any / count_nonzero ----------------------------------------------------------------
_LOGICAL_SIGNATURES = (
    "Tensor input, *, Tensor out = None",
    "Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None",
    "Tensor input, int dim, bool keepdim = False, *, Tensor out = None",
)


def _logical_reduce(fn: str, npfn, input: Tensor, dim, keepdim: bool) -> Tensor:
    if not isinstance(input, Tensor):
        raise invalid_combination(fn, (type_name(input),), _LOGICAL_SIGNATURES)
    a = input._data
    if dim is not None and not isinstance(dim, _INTS) and len(dim) == 0:
        out = a.astype(_BOOL)  # an empty dim list reduces nothing
    else:
        out = np.asarray(npfn(a, axis=dims(dim, a.ndim), keepdims=keepdim))
    return Tensor._make(out.astype(_U8) if a.dtype == _U8 else out)


def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether every element (over ``dim``) is non-zero: a bool tensor (uint8 for uint8).

    >>> leafgrad.tensor([[True, False], [True, True]]).all(1)
    tensor([False,  True])
    """
    return _logical_reduce("all", np.all, input, dim, keepdim)


def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether some element (over ``dim``) is non-zero: a bool tensor (uint8 for uint8)."""
    return _logical_reduce("any", np.any, input, dim, keepdim)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """The number of non-zero elements (over ``dim``, an int or a tuple) as int64."""
    a = _data(input, "count_nonzero")
    axes = dims(dim, a.ndim)
    return Tensor._make(np.asarray(np.count_nonzero(a, axis=axes), _I64))


# -- softmax / log_softmax --------------------------------------------------------------------
def _sum_keep(t, dim):
    """Sum over ``dim`` keeping it, on a Tensor or (first-order backward) an array."""
    if isinstance(t, Tensor):
        return sum(t, dim, True) if dim is not None else sum(t).reshape((1,) * t._data.ndim)
    return t.sum(axis=dim, keepdims=True)


def _exp(t):
    return t.exp() if isinstance(t, Tensor) else np.exp(t)


class Softmax(Op):
    # Promoted to a primitive for stability: exp of the max-shifted input, and a vjp in
    # terms of the output alone.
    saves = ("result",)
    array_vjp = True

    def forward(xp, x, *, dim):
        if x.size == 0:
            return x.copy()
        if x.ndim == 0:
            return xp.exp(x - x)  # 1 (NaN for inf and NaN)
        e = x - x.max(axis=dim, keepdims=True)
        xp.exp(e, out=e)
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def vjp(g, out, x, *, dim):
        return out * (g - _sum_keep(g * out, dim))


class LogSoftmax(Op):
    # A primitive for stability: x - max - log(sum(exp(x - max))); vjp from the output.
    saves = ("result",)
    array_vjp = True

    def forward(xp, x, *, dim):
        if x.size == 0:
            return x.copy()
        if x.ndim == 0:
            return x - x  # 0 (NaN for inf and NaN)
        s = x - x.max(axis=dim, keepdims=True)
        s -= xp.log(xp.exp(s).sum(axis=dim, keepdims=True))
        return s

    def vjp(g, out, x, *, dim):
        return g - _exp(out) * _sum_keep(g, dim)


def _softmax_args(fn: str, input: Tensor, dim, dtype):
    if dim is _REQUIRED:
        raise _missing(fn)
    if dim is None:
        raise TypeError(f"{fn}(): argument 'dim' (position 1) must be int, not NoneType")
    _data(input, fn)
    x = input if dtype is None else cast(input, _dt.to_dtype(dtype))
    a = x._data
    d = _wrap_dim(dim, a.ndim)
    if a.dtype.kind != "f":
        last = "lastdim_" if d == a.ndim - 1 or a.ndim == 0 else ""
        raise not_implemented(f"{fn}_{last}kernel_impl", a.dtype)
    return x, (d if a.ndim else None)


def softmax(input: Tensor, dim: int = _REQUIRED, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, computed stably.

    >>> leafgrad.tensor([1., 2., 3.]).softmax(0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    x, d = _softmax_args("softmax", input, dim, dtype)
    return apply(Softmax, x, dim=d)


def log_softmax(input: Tensor, dim: int = _REQUIRED, dtype=None) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably (no log of an underflowed zero)."""
    x, d = _softmax_args("log_softmax", input, dim, dtype)
    return apply(LogSoftmax, x, dim=d)
