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


def binary(op, scalar_op, x, y, name: str = ""):
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
    if y.__class__ is _float:
        if x._data.dtype.kind == "f":
            return apply(scalar_op, x, other=y)
    y = as_tensor_arg(y)
    d = _dt.result_type(x, y)
    if scalar_op is not None and d is _dt.FROM_NP[x._data.dtype] and y._data.ndim == 0:
        return apply(scalar_op, x, other=y._data.item())
    return apply(op, cast(x, d), cast(y, d))
