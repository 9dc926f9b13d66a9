"""``F.linear`` and ``F.bilinear``, recording the graph PyTorch records.

``linear`` of a 2-D input with a bias is one ``addmm`` (``AddmmBackward0``); other
contiguous inputs with a 1-D bias are flattened to 2-D around it (``ViewBackward0``);
the rest is ``matmul`` then ``+ bias``, as in PyTorch.
"""

from __future__ import annotations

from ..ops.elementwise import add
from ..ops.linalg import Addmm, addmm, einsum, matmul, mm
from ..ops.registry import Op, apply
from ..ops.shape import T
from ..tensor import Tensor

__all__ = ["linear", "bilinear"]


def _require(fn: str, name: str, pos: int, value) -> Tensor:
    if isinstance(value, Tensor):
        return value
    raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                    f"{type(value).__name__}")


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, over the last dim of ``input``.

    >>> F.linear(leafgrad.ones(2, 3), leafgrad.ones(4, 3), leafgrad.zeros(4)).shape
    leafgrad.Size([2, 4])
    """
    try:
        xd, wd = input._data, weight._data
        bd = None if bias is None else bias._data
    except AttributeError:
        xd = _require("linear", "input", 1, input)._data
        wd = _require("linear", "weight", 2, weight)._data
        bd = None if bias is None else _require("linear", "bias", 3, bias)._data
    nd = xd.ndim
    if (nd == 2 and bd is not None and wd.ndim == 2 and xd.shape[1] == wd.shape[1]
            and xd.dtype is wd.dtype is bd.dtype and bd.shape == (wd.shape[0],)):
        # The hot path (every MLP layer): two nodes, no argument re-checking.
        return apply(Addmm, bias, input, apply(T, weight), beta=1, alpha=1,
                     need=(bias._rg, input._rg, weight._rg))
    if nd == 0 or wd.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{nd}D and {wd.ndim}D")
    if wd.ndim != 2:
        out = matmul(input, weight.t())
        return out if bias is None else add(out, bias)
    wt = apply(T, weight)
    if bd is not None:
        if nd == 2:
            return addmm(bias, input, wt)
        if bd.ndim == 1 and xd.flags.c_contiguous and bd.flags.c_contiguous:
            out = addmm(bias, input.view(_prod(xd.shape[:-1]), xd.shape[-1]), wt)
            return out.view(*xd.shape[:-1], out.shape[-1])
        return add(matmul(input, wt), bias)
    if nd == 2:
        return mm(input, wt)
    return matmul(input, wt)


def _prod(shape: tuple) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


class Trilinear(Op):
    """``y[b, o] = sum_ij x1[b, i] w[o, i, j] x2[b, j]``: bilinear's core (2-D inputs)."""

    args = ("i1", "i2", "i3")
    saves = ("i1", "i2", "i3")

    def forward(xp, x1, w, x2, *, need):
        return xp.einsum("bi,oij,bj->bo", x1, w, x2, optimize=True)

    def vjp(g, out, x1, w, x2, *, need):
        return (einsum("bo,oij,bj->bi", g, w, x2) if need[0] else None,
                einsum("bo,bi,bj->oij", g, x1, x2) if need[1] else None,
                einsum("bo,oij,bi->bj", g, w, x1) if need[2] else None)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``y = x1^T A x2 + b`` over the last dims: ``weight`` is (out, in1, in2).

    >>> F.bilinear(leafgrad.ones(2, 3), leafgrad.ones(2, 4), leafgrad.ones(5, 3, 4)).shape
    leafgrad.Size([2, 5])
    """
    a = _require("bilinear", "input1", 1, input1)._data
    b = _require("bilinear", "input2", 2, input2)._data
    w = _require("bilinear", "weight", 3, weight)._data
    if a.ndim != b.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {a.ndim} and "
                           f"{b.ndim}")
    for i in range(a.ndim - 1):
        if a.shape[i] != b.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {a.shape[i]} and {b.shape[i]}")
    if w.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional, got {w.ndim}")
    if a.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{a.shape[-1]} but expected {w.shape[1]}")
    if b.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{b.shape[-1]} but expected {w.shape[2]}")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != w.shape[0]):
        got = bias.shape[0] if bias.ndim else 1
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {got} but "
                           f"expected {w.shape[0]}")
    x1 = input1.view(-1, a.shape[-1])  # as PyTorch: zero features make -1 ambiguous
    x2 = input2.view(-1, b.shape[-1])
    out = apply(Trilinear, x1, weight, x2, need=(x1._rg, weight._rg, x2._rg))
    out = out.view(*a.shape[:-1], w.shape[0])
    return out if bias is None else add(out, bias)

