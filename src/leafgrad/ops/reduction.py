"""Reductions and scans: sum, mean, ... with ``dim`` as an int or a tuple, and ``keepdim``."""

from __future__ import annotations

from .. import dtypes as _dt
from ..tensor import Tensor, _wrap_dim
from .registry import Op, apply

__all__ = ["sum", "mean"]
methods = ["sum", "mean", "sum_to_size"]


def dims(dim, ndim: int) -> tuple | None:
    """``dim`` (None, an int, or a sequence) as a sorted tuple of non-negative axes."""
    if dim is None:
        return None
    if isinstance(dim, int):
        return (_wrap_dim(dim, ndim),)
    out = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
    if len(set(out)) != len(out):
        d = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out if out else None


def restore(g: Tensor, shape: tuple, axes: tuple | None, keepdim: bool) -> Tensor:
    """Broadcast a reduction's gradient ``g`` back to the input ``shape``."""
    if not keepdim:
        if axes is None:
            g = g.reshape((1,) * len(shape))
        else:
            g = g.reshape(tuple(1 if i in axes else s for i, s in enumerate(shape)))
    return g.expand(shape)


class Sum(Op):
    def forward(xp, x, *, dim, keepdim, shape):
        return xp.sum(x, axis=dim, keepdims=keepdim)

    def vjp(g, out, x, *, dim, keepdim, shape):
        return restore(g, shape, dim, keepdim)


class Mean(Op):
    def forward(xp, x, *, dim, keepdim, shape):
        return xp.mean(x, axis=dim, keepdims=keepdim)

    def vjp(g, out, x, *, dim, keepdim, shape):
        n = 1
        for i, s in enumerate(shape):
            if dim is None or i in dim:
                n *= s
        return restore(g / n, shape, dim, keepdim)


class SumDim(Sum):
    """Sum over some dims (PyTorch records the dim overload as SumBackward1)."""

    name = "SumBackward1"


class MeanDim(Mean):
    name = "MeanBackward1"


def _sum_dtype(x: Tensor, dtype) -> Tensor:
    if dtype is not None:
        return x.to(dtype)
    if x._data.dtype.kind in "biu":
        return x.to(_dt.int64)  # integer sums accumulate in int64, as in PyTorch
    return x


def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A001
    """Sum of elements, over all of them or over ``dim`` (an int or a tuple).

    >>> leafgrad.tensor([[1., 2.], [3., 4.]]).sum(0)
    tensor([4., 6.])
    """
    x = _sum_dtype(input, dtype)
    return apply(Sum if dim is None else SumDim, x, dim=dims(dim, x._data.ndim),
                 keepdim=keepdim, shape=x._data.shape)


def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean of elements, over all of them or over ``dim``; floating inputs only."""
    x = input if dtype is None else input.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {x.dtype.legacy_name[:-6]}"
        )
    return apply(Mean if dim is None else MeanDim, x, dim=dims(dim, x._data.ndim),
                 keepdim=keepdim, shape=x._data.shape)


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum ``input`` down to ``size``, the reverse of broadcasting it (gradients use this)."""
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    lead = input._data.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and input._data.shape[lead + i] != 1
    )
    if not axes:
        return input
    out = sum(input, axes, keepdim=True)
    return out.reshape(shape) if lead else out
