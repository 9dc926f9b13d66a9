"""Argument handling shared by the op families: tensors vs Python numbers, promotion, casts.

Kept apart from ``registry`` (which knows nothing of dtypes) so the hot paths of
the elementwise ops read as: same dtype -> ``apply``; otherwise promote once here.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..backend import np
from ..tensor import Tensor
from .registry import Op, apply

_float = float
_int = int
_bool = bool
SCALARS = (_float, _int, _bool, np.number, np.bool_)


def is_scalar(x) -> bool:
    return isinstance(x, SCALARS)


def as_tensor_arg(x, like: Tensor | None = None) -> Tensor:
    """A tensor for an operand: tensors pass through, numbers become 0-dim tensors."""
    if x.__class__ is Tensor or isinstance(x, Tensor):
        return x
    if isinstance(x, SCALARS):
        d = _dt.scalar_dtype(x)
        return Tensor._make(np.array(x, d.np))
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return Tensor._make(x)  # a scalar op's constant, inside a vjp
    if isinstance(x, (list, tuple, np.ndarray)):
        from ..creation import tensor

        return tensor(x)
    raise TypeError(f"expected Tensor as argument, but got {type(x).__name__}")


def cast(t: Tensor, d: _dt.dtype) -> Tensor:
    """``t`` in dtype ``d`` (differentiable; ``t`` itself when already there)."""
    if t._data.dtype is d.np or t._data.dtype == d.np:
        return t
    return apply(Cast, t, dtype=d.np)


class Cast(Op):
    """A dtype conversion; the gradient converts back."""

    name = "ToCopyBackward0"

    def forward(xp, x, *, dtype):
        return x.astype(dtype)

    def vjp(g, out, x, *, dtype):
        return g  # the engine casts each gradient to its input's dtype


_CONSTS: dict = {}  # dtype -> {number: read-only 0-d array}


def const(value, dtype):
    """``value`` as a read-only 0-d array of ``dtype``, cached.

    NumPy handles a 0-d array operand as fast as an array, and a Python number
    about 0.3 us slower (it infers a dtype every time): scalar ops keep their number
    as one of these, in the forward and in the vjp alike.
    """
    table = _CONSTS.get(dtype)
    if table is None:
        table = _CONSTS[dtype] = {}
    arr = table.get(value)
    if arr is None:
        arr = np.array(value, dtype)
        arr.flags.writeable = False
        if value and len(table) < 1024:  # 0.0 == -0.0 as keys: never cache zeros
            table[value] = arr
    return arr


def binary(op, scalar_op, x, y):
    """Dispatch ``op(x, y)``: tensor/tensor with promotion, or ``scalar_op`` with a number."""
    if y.__class__ is Tensor or isinstance(y, Tensor):
        if x.__class__ is not Tensor:
            x = as_tensor_arg(x)
        if x._data.dtype is y._data.dtype:
            return apply(op, x, y)
        d = _dt.result_type(x, y)
        return apply(op, cast(x, d), cast(y, d))
    if x.__class__ is not Tensor:
        x = as_tensor_arg(x)
    dt = x._data.dtype
    if y.__class__ is _float and dt.kind == "f" and scalar_op is not None:
        return apply(scalar_op, x, other=const(y, dt))
    y = as_tensor_arg(y)
    d = _dt.result_type(x, y)
    if d.np == dt and y._data.ndim == 0 and scalar_op is not None:
        return apply(scalar_op, x, other=const(y._data.item(), dt))
    return apply(op, cast(x, d), cast(y, d))
